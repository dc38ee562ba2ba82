/**
 * Extra patients for the checks that need more than one (a second patient
 * on a taken slot, a race of n): the given person id's birth date with other
 * serial numbers. Reports mask them like any person id (the birth date
 * stays readable), and every booking they win is cancelled.
 */
export function derivedSubjectOfCare(subjectOfCare: string, n: number): string {
  const serial = (Number(subjectOfCare.slice(8)) || 0) + 7 * n;
  return `${subjectOfCare.slice(0, 8)}${String(serial % 10_000).padStart(4, '0')}`;
}
