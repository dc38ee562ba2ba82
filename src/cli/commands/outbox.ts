/** `tidbok outbox status|retry`: what waits for delivery, and re-queuing dead letters. */
import { retryDeadLetters } from '../../staff/operator-actions.ts';
import { describeOutboxStatus, outboxStatus } from '../../outbox/outbox-status-view.ts';
import { CliError } from '../command.ts';
import { dbOption, jsonOption, printAnswer } from '../common-options.ts';
import { defineCommand } from '../define-command.ts';
import { withServices } from './with-services.ts';

export const outboxStatusCommand = defineCommand({
  name: 'outbox status',
  usage: '[--json] [--db <url>]',
  summary: 'Show pending, in-flight and dead outbox messages, in total and per channel.',
  about: [
    'Counts what waits for delivery and the age of the oldest, in total and per channel,',
    'and lists dead letters with the reason they failed (person ids masked). Exits 1 when',
    'there are dead letters.',
  ],
  options: { ...jsonOption('the status'), ...dbOption },
  async run({ values }, io) {
    const view = await withServices(io, values.db, ({ outbox, channels }) =>
      outboxStatus(
        outbox,
        Date.now(),
        channels.map((c) => c.name),
      ),
    );
    printAnswer(io, values.json, view, describeOutboxStatus);
    // Scripts and monitors can alert on the exit code alone.
    return view.deadLetters.length > 0 ? 1 : 0;
  },
});

export const outboxRetryCommand = defineCommand({
  name: 'outbox retry',
  usage: '<id> | --all-dead [--db <url>]',
  summary: 'Put a dead letter (or all of them) back in the queue after fixing the cause.',
  about: [
    'Dead letters are messages the receiver refused in a way that repeats until data or',
    'configuration is fixed (EI002-EI006, VP004, VP007). Fix that, then re-queue them; the',
    'running server delivers them, in order, with the messages waiting behind them.',
  ],
  options: { 'all-dead': { type: 'boolean', help: 'every dead letter' }, ...dbOption },
  positionals: true,
  async run({ values, positionals }, io) {
    const allDead = values['all-dead'] ?? false;
    if (allDead === (positionals.length === 1) || positionals.length > 1)
      throw new CliError('give one dead letter id, or --all-dead', 2);
    let which: number | 'all' = 'all';
    if (!allDead) {
      if (!/^[1-9]\d{0,15}$/.test(positionals[0]!))
        throw new CliError(`'${positionals[0]}' is not a dead letter id (a number)`, 2);
      which = Number(positionals[0]);
    }
    const requeued = await withServices(io, values.db, ({ outbox }) =>
      retryDeadLetters(outbox, which),
    );
    io.out(`${requeued} message${requeued === 1 ? '' : 's'} re-queued for delivery.`);
    return 0;
  },
});
