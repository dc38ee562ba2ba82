/** `tidbok outbox status|retry`: what waits for delivery, and re-queuing dead letters. */
import { parseArgs } from 'node:util';
import { retryDeadLetters } from '../../staff/operator-actions.ts';
import { describeOutboxStatus, outboxStatus } from '../../outbox/outbox-status-view.ts';
import { CliError, type Command } from '../command.ts';
import { dbHelp, dbOption, withServices } from './with-services.ts';

export const outboxStatusCommand: Command = {
  name: 'outbox status',
  usage: '[--json] [--db <url>]',
  summary: 'Show pending, in-flight and dead outbox messages, in total and per channel.',
  help: [
    'Counts what waits for delivery and the age of the oldest, in total and per channel,',
    'and lists dead letters with the reason they failed (person ids masked). Exits 1 when',
    'there are dead letters.',
    '',
    'Options:',
    '  --json  print the status as JSON',
    dbHelp,
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({
      args: [...args],
      options: { ...dbOption, json: { type: 'boolean' } },
      strict: true,
    });
    const view = await withServices(io, values.db, ({ outbox, channels }) =>
      outboxStatus(
        outbox,
        Date.now(),
        channels.map((c) => c.name),
      ),
    );
    if (values.json) io.out(JSON.stringify(view));
    else for (const line of describeOutboxStatus(view)) io.out(line);
    // Scripts and monitors can alert on the exit code alone.
    return view.deadLetters.length > 0 ? 1 : 0;
  },
};

export const outboxRetryCommand: Command = {
  name: 'outbox retry',
  usage: '<id> | --all-dead [--db <url>]',
  summary: 'Put a dead letter (or all of them) back in the queue after fixing the cause.',
  help: [
    'Dead letters are messages the receiver refused in a way that repeats until data or',
    'configuration is fixed (EI002-EI006, VP004, VP007). Fix that, then re-queue them; the',
    'running server delivers them, in order, with the messages waiting behind them.',
    '',
    'Options:',
    '  --all-dead  every dead letter',
    dbHelp,
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { ...dbOption, 'all-dead': { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
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
};
