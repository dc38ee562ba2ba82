/**
 * `tidbok webhook add|list|remove|rotate|enable`: the admin API's webhook
 * routes from the command line, on the same store and secret key as the
 * server, so a subscription made here is delivered to by the running server.
 *
 * @module
 */
import { CliError, type CliIo, type Command } from '../../cli/command.ts';
import { dbOption, jsonOption, printAnswer } from '../../cli/common-options.ts';
import { defineCommand, onlyPositional } from '../../cli/define-command.ts';
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

/**
 * `webhook <verb> <id>`: acts on one subscription and prints what `act`
 * answers; an unknown id (`act` answers undefined or false) fails.
 */
function subscriptionCommand<T>(
  open: OpenSubscriptions,
  spec: {
    readonly verb: 'remove' | 'rotate' | 'enable';
    readonly usage: string;
    readonly summary: string;
    readonly about: readonly string[];
    /** What `--json` prints, for its help; `undefined`: the option is accepted but prints no JSON. */
    readonly json: string | undefined;
    act(subscriptions: WebhookSubscriptions, id: string): Promise<T | undefined | false>;
    describe(done: T, id: string): string[];
  },
): Command {
  return defineCommand({
    name: `webhook ${spec.verb}`,
    usage: spec.usage,
    summary: spec.summary,
    about: spec.about,
    options: {
      json: { type: 'boolean', ...(spec.json ? { help: `print ${spec.json} as JSON` } : {}) },
      ...dbOption,
    },
    positionals: true,
    async run({ values, positionals }, io) {
      const id = onlyPositional(positionals, `usage: tidbok webhook ${spec.verb} <id>`);
      const done = await open(io, values.db, (subs) => guarded(() => spec.act(subs, id)));
      if (done === undefined || done === false) throw new CliError(`no webhook subscription ${id}`);
      printAnswer(io, spec.json !== undefined && values.json, done, (d) => spec.describe(d, id));
      return 0;
    },
  });
}

/** The five commands, opening subscriptions with `open`. */
export function webhookCommands(open: OpenSubscriptions): Command[] {
  const add = defineCommand({
    name: 'webhook add',
    usage:
      '--url <url> [--facility <hsa-id>]… [--event <type>]… [--format standard|healthengine] [--include-personal-data] [--json] [--db <url>]',
    summary: 'Subscribe a URL to signed booking webhooks; prints its secret once.',
    about: [
      'Registers a receiver. Every booking change at the chosen facilities (default all) and of',
      'the chosen events (default all: booking.created, booking.rescheduled, booking.cancelled,',
      'invitation.created, invitation.withdrawn) is POSTed to it, signed (Standard Webhooks).',
      'The secret (whsec_…) is printed once: give it to the receiver now.',
    ],
    options: {
      url: {
        type: 'string',
        arg: 'url',
        help: 'https (plain http only to loopback with WEBHOOK_ALLOW_LOOPBACK=true)',
        required: 'name the receiver: --url <url>',
      },
      facility: {
        type: 'string',
        multiple: true,
        arg: 'hsa-id',
        help: 'repeat for several; default all facilities',
      },
      event: {
        type: 'string',
        multiple: true,
        arg: 'type',
        help: 'repeat for several; default all events',
      },
      format: { type: 'string', arg: 'f', help: 'standard (default) or healthengine' },
      'include-personal-data': {
        type: 'boolean',
        help: 'add the personnummer and the patient’s name to bodies',
      },
      ...jsonOption('the id and the secret'),
      ...dbOption,
    },
    async run({ values }, io) {
      const request = {
        url: values.url,
        ...(values.facility ? { facilities: values.facility } : {}),
        ...(values.event ? { events: values.event } : {}),
        ...(values.format ? { format: values.format } : {}),
        includePersonalData: values['include-personal-data'] ?? false,
      };
      const made = await open(io, values.db, (subs) => guarded(() => subs.create(request)));
      printAnswer(io, values.json, { id: made.subscription.id, secret: made.secret }, () => [
        describe(made.subscription),
        `secret: ${made.secret}`,
        'Keep the secret now: it is not shown again.',
      ]);
      return 0;
    },
  });

  const list = defineCommand({
    name: 'webhook list',
    usage: '[--json] [--db <url>]',
    summary: 'List webhook subscriptions (never their secrets).',
    about: ['Shows each subscription, whether it is enabled and why not.'],
    options: { ...jsonOption('the subscriptions'), ...dbOption },
    async run({ values }, io) {
      const all = await open(io, values.db, (subs) => subs.list());
      printAnswer(io, values.json, all, (subscriptions) =>
        subscriptions.length === 0 ? ['No webhook subscriptions.'] : subscriptions.map(describe),
      );
      return 0;
    },
  });

  const remove = subscriptionCommand(open, {
    verb: 'remove',
    usage: '<id> [--db <url>]',
    summary: 'Remove a webhook subscription; its queued events are not sent.',
    about: ['Deletes the subscription and its secrets.'],
    json: undefined,
    act: (subs, id) => subs.remove(id),
    describe: (_removed, id) => [`Removed ${id}.`],
  });

  const rotate = subscriptionCommand(open, {
    verb: 'rotate',
    usage: '<id> [--json] [--db <url>]',
    summary: 'Give a subscription a new secret; the old one keeps signing for 24 hours.',
    about: [
      'Prints the new secret once. For 24 hours every delivery carries two signatures, one per',
      'secret, so the receiver can switch to the new secret at any time in that window.',
    ],
    json: 'the new secret',
    act: (subs, id) => subs.rotate(id),
    describe: (rotated) => [
      `secret: ${rotated.secret}`,
      `The previous secret also signs until ${rotated.previousSecretUntil}.`,
    ],
  });

  const enable = subscriptionCommand(open, {
    verb: 'enable',
    usage: '<id> [--json] [--db <url>]',
    summary: 'Enable a subscription that was disabled (HTTP 410, or failing for 5 days).',
    about: [
      'Deliveries start again with the next booking change; events made while it was',
      'disabled are not sent.',
    ],
    json: 'the subscription',
    act: (subs, id) => subs.enable(id),
    describe: (enabled) => [describe(enabled)],
  });

  return [add, list, remove, rotate, enable];
}
