/** `/admin/outbox…`: what waits for delivery, and re-queuing dead letters. */
import { z } from 'zod';
import type { OutboxStore } from '../../outbox/outbox-store.ts';
import {
  outboxStatus,
  outboxStatusViewSchema,
  retryDeadLetters,
} from '../../staff/operator-actions.ts';
import { retryDeadLettersInput } from '../../staff/staff-inputs.ts';
import { defineAdminRoute, noBody, noQuery, type AdminRoute } from '../admin-route.ts';

export function outboxRoutes(deps: {
  readonly outbox: OutboxStore;
  readonly notify: () => void;
  readonly now: () => number;
}): readonly AdminRoute[] {
  return [
    defineAdminRoute({
      method: 'GET',
      path: '/admin/outbox',
      summary: 'What waits for delivery, and the dead letters',
      body: noBody,
      query: noQuery,
      answer: outboxStatusViewSchema,
      handle: () => outboxStatus(deps.outbox, deps.now()),
    }),
    defineAdminRoute({
      method: 'POST',
      path: '/admin/outbox/retry',
      summary: 'Put one dead letter, or all of them, back to pending',
      body: retryDeadLettersInput,
      query: noQuery,
      answer: z.object({ requeued: z.number().int() }),
      handle: async ({ body }) => {
        const requeued = await retryDeadLetters(deps.outbox, 'id' in body ? body.id : 'all');
        deps.notify();
        return { requeued };
      },
    }),
  ];
}
