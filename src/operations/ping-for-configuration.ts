import { PingForConfiguration } from '../contracts/monitoring.ts';
import { instantToTs } from '../domain/local-time.ts';
import type { CalendarStore } from '../store/calendar-store.ts';
import { defineOperation } from './operation.ts';

export interface PingInfo {
  readonly version: string;
  readonly startedAtUtcMs: number;
  readonly storeKind: string;
}

/** Answers only after a store round trip: if the store is down, so is every other contract. */
export const pingForConfiguration = (store: CalendarStore, info: PingInfo) =>
  defineOperation(PingForConfiguration, {
    addressing: 'producer',
    async handle(_req, context) {
      const stats = await store.stats();
      return {
        version: info.version,
        pingDateTime: instantToTs(context.nowUtcMs),
        configuration: [
          { name: 'store', value: info.storeKind },
          { name: 'facilities', value: String(stats.facilities) },
          { name: 'startedAt', value: instantToTs(info.startedAtUtcMs) },
          { name: 'node', value: process.version },
        ],
      };
    },
  });
