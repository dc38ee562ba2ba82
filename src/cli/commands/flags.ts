/** Flags shared by the booking and invitation commands, turned into the admin API's JSON shape. */

export const patientOptions = {
  patient: { type: 'string' },
  'first-name': { type: 'string' },
  'middle-name': { type: 'string' },
  'last-name': { type: 'string' },
  phone: { type: 'string' },
  email: { type: 'string' },
} as const;

export const slotOptions = {
  slot: { type: 'string' },
  start: { type: 'string' },
  end: { type: 'string' },
  performer: { type: 'string' },
} as const;

type Values = Record<string, string | boolean | undefined>;

const text = (v: Values, name: string) => {
  const value = v[name];
  return typeof value === 'string' ? value : undefined;
};

/** `{ subjectOfCare, patient }` from --patient and the name flags; absent flags stay absent. */
export function patientFromFlags(v: Values): Record<string, unknown> {
  const names = ['first-name', 'middle-name', 'last-name', 'phone', 'email'];
  const anyName = names.some((n) => text(v, n) !== undefined);
  return {
    subjectOfCare: text(v, 'patient'),
    ...(anyName
      ? {
          patient: {
            firstName: text(v, 'first-name'),
            middleName: text(v, 'middle-name'),
            lastName: text(v, 'last-name'),
            phone: text(v, 'phone'),
            email: text(v, 'email'),
          },
        }
      : {}),
  };
}

/** `{ slotId }` or `{ start, end, performer }` from the slot flags. */
export function slotFromFlags(v: Values): Record<string, unknown> {
  return {
    slotId: text(v, 'slot'),
    start: text(v, 'start'),
    end: text(v, 'end'),
    performer: text(v, 'performer'),
  };
}
