/** `/admin/outbox…`: what waits for delivery, and re-queuing dead letters. */
import type { AdminRoute } from '../admin-api.ts';
import { AdminHttpError } from '../admin-http-error.ts';
import { outboxStatus, retryDeadLetters } from '../operator-actions.ts';

export const outboxRoutes: readonly AdminRoute[] = [
  {
    method: 'GET',
    path: /^\/admin\/outbox$/,
    handle: async (_, { outbox, now }) => ({ body: await outboxStatus(outbox, now()) }),
  },
  {
    method: 'POST',
    path: /^\/admin\/outbox\/retry$/,
    handle: async ({ body }, { outbox, notify }) => {
      const { id, allDead } = (body ?? {}) as { id?: unknown; allDead?: unknown };
      let which: number | 'all';
      if (allDead === true && id === undefined) which = 'all';
      else if (
        typeof id === 'number' &&
        Number.isSafeInteger(id) &&
        id > 0 &&
        allDead === undefined
      )
        which = id;
      else throw new AdminHttpError(400, 'give { "id": <dead letter id> } or { "allDead": true }');
      const requeued = await retryDeadLetters(outbox, which);
      notify();
      return { body: { requeued } };
    },
  },
];
