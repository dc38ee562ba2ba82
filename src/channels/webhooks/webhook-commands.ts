/**
 * `tidbok webhook add|list|remove|rotate|enable`: the admin API's webhook
 * routes from the command line, on the same store and secret key as the
 * server, so a subscription made here is delivered to by the running server.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { CliError, type CliIo, type Command } from '../../cli/command.ts';
import {
  SecretKeyMissingError,
  WebhookInputError,
  type WebhookSubscriptions,
  type WebhookSubscriptionView,
} from './webhook-subscriptions.ts';

/** Opens the subscriptions of the store `--db` (or the configured one) names. */
export type OpenSubscriptions = <T>(
  io: CliIo,
  db: string | undefined,
  fn: (subscriptions: WebhookSubscriptions) => Promise<T>,
) => Promise<T>;

const dbOption = { db: { type: 'string' } } as const;
const common = [
  '  --json            print JSON',
  '  --db <url>        store (default: $DATABASE_URL, else $TIDBOK_DB, else ./data/tidbok.db)',
].join('\n');

function describe(s: WebhookSubscriptionView): string {
  const facilities = s.facilities === 'all' ? 'all facilities' : s.facilities.join(',');
  const state = s.enabled ? 'enabled' : `DISABLED (${s.disabledReason ?? 'no reason'})`;
  return `${s.id}  ${s.url}  ${s.format}${s.includePersonalData ? '+personal data' : ''}  ${facilities}  [${s.events.join(',')}]  ${state}`;
}

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof WebhookInputError) throw new CliError(err.message, 2);
    if (err instanceof SecretKeyMissingError) throw new CliError(err.message);
    throw err;
  }
}

/** Parses `<id> [--json] [--db <url>]`. */
function idArgs(args: readonly string[], name: string) {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { ...dbOption, json: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new CliError(`usage: tidbok webhook ${name} <id>`, 2);
  return { id: positionals[0]!, json: values.json ?? false, db: values.db };
}

const found = <T>(value: T | undefined, id: string): T => {
  if (value === undefined || value === false) throw new CliError(`no webhook subscription ${id}`);
  return value;
};

/** The five commands, opening subscriptions with `open`. */
export function webhookCommands(open: OpenSubscriptions): Command[] {
  const add: Command = {
    name: 'webhook add',
    usage:
      '--url <url> [--facility <hsa-id>]… [--event <type>]… [--format standard|healthengine] [--include-personal-data] [--json] [--db <url>]',
    summary: 'Subscribe a URL to signed booking webhooks; prints its secret once.',
    help: [
      'Registers a receiver. Every booking change at the chosen facilities (default all) and of',
      'the chosen events (default all: booking.created, booking.rescheduled, booking.cancelled,',
      'invitation.created, invitation.withdrawn) is POSTed to it, signed (Standard Webhooks).',
      'The secret (whsec_…) is printed once: give it to the receiver now.',
      '',
      'Options:',
      '  --url <url>                https (plain http only to loopback with WEBHOOK_ALLOW_LOOPBACK=true)',
      '  --facility <hsa-id>        repeat for several; default all facilities',
      '  --event <type>             repeat for several; default all events',
      '  --format <f>               standard (default) or healthengine',
      '  --include-personal-data    add the personnummer and the patient’s name to bodies',
      common,
    ].join('\n'),
    async run(args, io) {
      const { values } = parseArgs({
        args: [...args],
        options: {
          ...dbOption,
          url: { type: 'string' },
          facility: { type: 'string', multiple: true },
          event: { type: 'string', multiple: true },
          format: { type: 'string' },
          'include-personal-data': { type: 'boolean' },
          json: { type: 'boolean' },
        },
        strict: true,
      });
      if (!values.url) throw new CliError('name the receiver: --url <url>', 2);
      const request = {
        url: values.url,
        ...(values.facility ? { facilities: values.facility } : {}),
        ...(values.event ? { events: values.event } : {}),
        ...(values.format ? { format: values.format } : {}),
        includePersonalData: values['include-personal-data'] ?? false,
      };
      const made = await open(io, values.db, (subs) => guarded(() => subs.create(request)));
      if (values.json) io.out(JSON.stringify({ id: made.subscription.id, secret: made.secret }));
      else {
        io.out(describe(made.subscription));
        io.out(`secret: ${made.secret}`);
        io.out('Keep the secret now: it is not shown again.');
      }
      return 0;
    },
  };

  const list: Command = {
    name: 'webhook list',
    usage: '[--json] [--db <url>]',
    summary: 'List webhook subscriptions (never their secrets).',
    help: ['Shows each subscription, whether it is enabled and why not.', '', common].join('\n'),
    async run(args, io) {
      const { values } = parseArgs({
        args: [...args],
        options: { ...dbOption, json: { type: 'boolean' } },
        strict: true,
      });
      const all = await open(io, values.db, (subs) => subs.list());
      if (values.json) io.out(JSON.stringify(all));
      else if (all.length === 0) io.out('No webhook subscriptions.');
      else for (const s of all) io.out(describe(s));
      return 0;
    },
  };

  const remove: Command = {
    name: 'webhook remove',
    usage: '<id> [--db <url>]',
    summary: 'Remove a webhook subscription; its queued events are not sent.',
    help: ['Deletes the subscription and its secrets.', '', common].join('\n'),
    async run(args, io) {
      const { id, db } = idArgs(args, 'remove');
      found(await open(io, db, (subs) => subs.remove(id)), id);
      io.out(`Removed ${id}.`);
      return 0;
    },
  };

  const rotate: Command = {
    name: 'webhook rotate',
    usage: '<id> [--json] [--db <url>]',
    summary: 'Give a subscription a new secret; the old one keeps signing for 24 hours.',
    help: [
      'Prints the new secret once. For 24 hours every delivery carries two signatures, one per',
      'secret, so the receiver can switch to the new secret at any time in that window.',
      '',
      common,
    ].join('\n'),
    async run(args, io) {
      const { id, json, db } = idArgs(args, 'rotate');
      const rotated = found(await open(io, db, (subs) => guarded(() => subs.rotate(id))), id);
      if (json) io.out(JSON.stringify(rotated));
      else {
        io.out(`secret: ${rotated.secret}`);
        io.out(`The previous secret also signs until ${rotated.previousSecretUntil}.`);
      }
      return 0;
    },
  };

  const enable: Command = {
    name: 'webhook enable',
    usage: '<id> [--json] [--db <url>]',
    summary: 'Enable a subscription that was disabled (HTTP 410, or failing for 5 days).',
    help: [
      'Deliveries start again with the next booking change; events made while it was',
      'disabled are not sent.',
      '',
      common,
    ].join('\n'),
    async run(args, io) {
      const { id, json, db } = idArgs(args, 'enable');
      const enabled = found(await open(io, db, (subs) => subs.enable(id)), id);
      io.out(json ? JSON.stringify(enabled) : describe(enabled));
      return 0;
    },
  };

  return [add, list, remove, rotate, enable];
}
