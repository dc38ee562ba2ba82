/**
 * Issue 3: how fast the EI outbox drains a backlog of 10,000 events through
 * the real channel (SOAP over HTTP, batches of up to 1000) to the EI
 * simulator; the target is at least 2,000 events/s. Measured with the
 * simulator in a child process (as EI is another machine, it must not share
 * the dispatcher's event loop), and in-process for comparison.
 */
import { EI_DRAIN_HEADER, eiDrainRow, runEiDrain, type EiDrainResult } from '../ei-drain.ts';
import type { Suite } from '../suites.ts';

const EVENTS = 10_000;
const TARGET_EVENTS_PER_SECOND = 2_000;

export const eiDrain: Suite = {
  key: 'ei-drain',
  title: 'EI outbox drain: 10,000 queued events to the EI simulator',
  async run() {
    const results: EiDrainResult[] = [];
    for (const sim of ['process', 'in-process'] as const) {
      const result = await runEiDrain({ events: EVENTS, sim });
      process.stdout.write(`  ${eiDrainRow(result)}\n`);
      results.push(result);
    }
    const judged = results[0]!;
    const met = judged.eventsPerSecond >= TARGET_EVENTS_PER_SECOND;
    const verdict =
      `${Math.round(judged.eventsPerSecond)} events/s with the simulator in a process of its own, ` +
      `${judged.updateCalls} Update calls (target ≥ ${TARGET_EVENTS_PER_SECOND} events/s)`;
    return {
      markdown: [
        `### ${this.title}`,
        '',
        `${EVENTS.toLocaleString('en-US')} booking events queued in the outbox of a SQLite file store, ` +
          'then one dispatcher drains them (claim, deliver, settle, again) through the EngagementIndexChannel ' +
          'to the EI simulator, which decodes and checks every Update as EI does. The clock runs from the ' +
          'first claim until the outbox is empty; the run fails unless the simulator holds every engagement.',
        '',
        `${met ? 'met' : '**missed**'}: ${verdict}.`,
        '',
        EI_DRAIN_HEADER,
        ...results.map(eiDrainRow),
      ].join('\n'),
      ...(met ? {} : { missedTargets: [`EI outbox drain: ${verdict}`] }),
    };
  },
};
