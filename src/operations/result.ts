/** Turns a domain outcome into resultCode/resultText (TKB-F §5.5: OK, INFO with text to show, ERROR). */
import type { ChangeOutcome } from '../domain/refusals.ts';

export function resultOf<T>(outcome: ChangeOutcome<T>) {
  if (!outcome.ok) return { resultCode: 'ERROR', resultText: outcome.text } as const;
  if (outcome.info) return { resultCode: 'INFO', resultText: outcome.info } as const;
  return { resultCode: 'OK' } as const;
}

export const isAgent = (actor: { actorType: string } | undefined) =>
  actor?.actorType === 'subject_of_care_agent';
