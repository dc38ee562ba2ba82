/**
 * `tidbok kivra preview` and `tidbok kivra-sim`: the Kivra channel from the
 * operator's side, contributed to the CLI by the channel module.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CliError, type Command } from '../../cli/command.ts';
import { dbHelp, dbOption } from '../../cli/commands/db-option.ts';
import { maskSubjectOfCare } from '../../domain/personnummer.ts';
import { runKivraSimulatorCommand } from '../../dev/kivra-simulator.ts';
import type { OpenServices } from '../channel-module.ts';
import { readKivraLetterSettings } from './kivra-config.ts';
import { buildKivraContent } from './kivra-content.ts';
import { factsOf, isEnabled, letterFor } from './kivra-listener.ts';

/**
 * Kivra's `tidbok` commands.
 *
 * @param open - opens the services the server uses (the CLI's `withServices`)
 */
export function kivraCommands(open: OpenServices): Command[] {
  return [kivraPreviewCommand(open), kivraSimCommand];
}

const kivraPreviewCommand = (open: OpenServices): Command => ({
  name: 'kivra preview',
  usage: '<bookingId> [--out <dir>] [--db <url>]',
  summary: 'Write the PDF and the JSON that Kivra would get for a booking now.',
  help: [
    'Renders the letter for the booking as it stands: a booking letter for an active booking',
    'or timed invitation, an invitation letter for an open one, a cancellation letter for a',
    'cancelled one. Writes kivra-<bookingId>.pdf and kivra-<bookingId>.json (the content',
    'request, personnummer masked) and sends nothing. Uses KIVRA_INFO_URL and',
    'KIVRA_FACILITIES when set.',
    '',
    'Options:',
    '  --out <dir>       where to write the files (default: the current directory)',
    dbHelp,
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { ...dbOption, out: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
    const [bookingId, ...extra] = positionals;
    if (!bookingId || extra.length > 0) throw new CliError('name one booking: <bookingId>', 2);
    const config = readKivraLetterSettings(io.env);
    const nowMs = Date.now();
    const rendered = await open(io, values.db, async ({ store }) => {
      const booking = await store.getBooking(bookingId);
      if (!booking) throw new CliError(`no booking or invitation with id ${bookingId}`);
      const letter = letterFor(
        booking.status === 'cancelled'
          ? { kind: 'cancelled', before: booking, after: booking, origin: 'staff', atUtcMs: nowMs }
          : { kind: 'created', after: booking, origin: 'staff', atUtcMs: nowMs },
      );
      const facility = await store.getFacility(booking.facility);
      if (!letter || !facility)
        throw new CliError(`the unit ${booking.facility} is not in the calendar`);
      const facts = await factsOf(store, letter.kind, letter.booking, facility, nowMs);
      const notes = [
        ...(isEnabled(facility, config)
          ? []
          : [`${facility.hsaId} is not in KIVRA_FACILITIES: nothing would be sent`]),
        ...(facts.startUtcMs !== undefined && facts.startUtcMs <= nowMs
          ? ['the visit has started: nothing would be sent']
          : []),
      ];
      return { facts, content: await buildKivraContent(facts, config), notes };
    });
    const dir = values.out ?? '.';
    mkdirSync(dir, { recursive: true });
    const pdfPath = join(dir, `kivra-${bookingId}.pdf`);
    const jsonPath = join(dir, `kivra-${bookingId}.json`);
    writeFileSync(pdfPath, Buffer.from(rendered.content.parts[0]!.data, 'base64'));
    const shown = { ...rendered.content, ssn: maskSubjectOfCare(rendered.content.ssn) };
    writeFileSync(jsonPath, `${JSON.stringify(shown, null, 2)}\n`);
    io.out(
      `Kivra ${rendered.content.type} "${rendered.content.subject}" (${rendered.facts.kind}) for ${shown.ssn}: wrote ${pdfPath} and ${jsonPath}.`,
    );
    for (const note of rendered.notes) io.out(`Note: ${note}.`);
    return 0;
  },
});

const kivraSimCommand: Command = {
  name: 'kivra-sim',
  usage:
    '[--port <n>] [--client-id <id>] [--client-secret <s>] [--tenant-key <k>] [--users <pnr,…>]',
  summary: 'Run a local Kivra sender API (auth, usermatch, content) that prints each request.',
  help: [
    'Checks requests as Kivra does (v2 content shape, subject length, future start_time with',
    'an offset, 1 MB, 50 contents per recipient per minute) and prints one line per request,',
    'never a person id or secret. Point KIVRA_URL at the address it prints and use the same',
    'client id, secret and tenant key. Stops on Ctrl-C.',
    '',
    'Options:',
    '  --port <n>            port on 127.0.0.1 (default: a free one)',
    '  --client-id <id>      default tidbok-demo',
    '  --client-secret <s>   default demo-secret',
    '  --tenant-key <k>      default demo-tenant',
    '  --users <pnr,…>       only these personnummer are Kivra users (default: everyone)',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({
      args: [...args],
      options: {
        port: { type: 'string' },
        'client-id': { type: 'string' },
        'client-secret': { type: 'string' },
        'tenant-key': { type: 'string' },
        users: { type: 'string' },
      },
      strict: true,
    });
    if (values.port !== undefined && (!/^\d+$/.test(values.port) || Number(values.port) > 65535))
      throw new CliError('--port must be a whole number up to 65535', 2);
    await runKivraSimulatorCommand(
      {
        ...(values.port !== undefined ? { port: Number(values.port) } : {}),
        ...(values['client-id'] ? { clientId: values['client-id'] } : {}),
        ...(values['client-secret'] ? { clientSecret: values['client-secret'] } : {}),
        ...(values['tenant-key'] ? { tenantKey: values['tenant-key'] } : {}),
        ...(values.users ? { users: values.users.split(',').map((u) => u.trim()) } : {}),
      },
      io.out,
    );
    return 0;
  },
};
