/**
 * Random ids that the log's person-id mask leaves as they are. A UUID's last
 * group is twelve hex characters, and in about one UUID in 115 (counted over
 * 400,000) it holds a run the mask takes for a personnummer: ten digits that
 * start with a date, or eight digits, an `f` and three more. The log would
 * then show that id masked, and the request could not be found by it.
 */
import { randomUUID } from 'node:crypto';
import { maskPersonIdsInText } from '../domain/personnummer.ts';

export function logSafeUuid(next: () => string = randomUUID): string {
  for (;;) {
    const id = next();
    if (maskPersonIdsInText(id) === id) return id;
  }
}
