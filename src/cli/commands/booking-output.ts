/** How booking commands print their result: a readable summary, or `--json`. */
import type { BookingView } from '../../staff/booking-view.ts';
import type { CliIo } from '../command.ts';
import { maskPersonIdsInText } from '../../domain/personnummer.ts';

export function printBooking(io: CliIo, what: string, view: BookingView, json: boolean): void {
  if (json) {
    io.out(JSON.stringify(view));
    return;
  }
  io.out(`${what}: ${maskPersonIdsInText(view.id)}`);
  io.out(`  kind       ${view.kind} (${view.status})`);
  io.out(`  facility   ${view.facility}`);
  io.out(`  patient    ${view.subjectOfCare} ${view.patient.firstName} ${view.patient.lastName}`);
  io.out(`  time       ${view.start && view.end ? `${view.start}–${view.end}` : 'none yet'}`);
  io.out(`  time type  ${view.timeTypeId}`);
  if (view.expiresOn) io.out(`  expires    ${view.expiresOn}`);
  if (view.info) io.out(`  tell the patient: ${view.info}`);
}
