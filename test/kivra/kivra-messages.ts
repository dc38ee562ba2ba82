/** Outbox messages of the `kivra` channel, as the dispatcher would claim them. */
import type { LetterFacts } from '../../src/channels/kivra/kivra-letter.ts';
import { kivraMessage, type KivraOutboxPayload } from '../../src/channels/kivra/kivra-listener.ts';
import type { ClaimedMessage } from '../../src/outbox/outbox-store.ts';
import { future } from '../support/builders.ts';
import { aLetter } from './letter-facts.ts';

let nextId = 1;

/** A claimed letter; the visit is three days ahead unless `facts` says otherwise. */
export async function aClaimedLetter(
  facts: Partial<LetterFacts> = {},
  attempts = 1,
): Promise<ClaimedMessage & { readonly payload: KivraOutboxPayload }> {
  const start = future(3);
  const message = await kivraMessage(
    aLetter({
      startUtcMs: start,
      endUtcMs: start + 1_800_000,
      changedAtUtcMs: Date.now(),
      ...facts,
    }),
    {},
  );
  return {
    id: nextId++,
    channel: message.channel,
    key: message.key,
    payload: message.payload as KivraOutboxPayload,
    attempts,
    createdAtUtcMs: Date.now(),
  };
}
