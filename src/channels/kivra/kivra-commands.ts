/**
 * `tidbok kivra preview` and `tidbok kivra-sim`: the Kivra channel from the
 * operator's side, contributed to the CLI by the channel module.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, type Command } from '../../cli/command.ts';
import { dbOption } from '../../cli/common-options.ts';
import { simulatorCommand } from '../../cli/simulator-command.ts';
import { defineCommand, onlyPositional } from '../../cli/define-command.ts';
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

const kivraPreviewCommand = (open: OpenServices): Command =>
  defineCommand({
    name: 'kivra preview',
    usage: '<bookingId> [--out <dir>] [--db <url>]',
    summary: 'Write the PDF and the JSON that Kivra would get for a booking now.',
    about: [
      'Renders the letter for the booking as it stands: a booking letter for an active booking',
      'or timed invitation, an invitation letter for an open one, a cancellation letter for a',
      'cancelled one. Writes kivra-<bookingId>.pdf and kivra-<bookingId>.json (the content',
      'request, personnummer masked) and sends nothing. Uses KIVRA_INFO_URL and',
      'KIVRA_FACILITIES when set.',
    ],
    options: {
      out: {
        type: 'string',
        arg: 'dir',
        help: 'where to write the files (default: the current directory)',
      },
      ...dbOption,
    },
    positionals: true,
    async run({ values, positionals }, io) {
      const bookingId = onlyPositional(positionals, 'name one booking: <bookingId>');
      const config = readKivraLetterSettings(io.env);
      const nowMs = Date.now();
      const rendered = await open(io, values.db, async ({ store }) => {
        const booking = await store.getBooking(bookingId);
        if (!booking) throw new CliError(`no booking or invitation with id ${bookingId}`);
        const letter = letterFor(
          booking.status === 'cancelled'
            ? {
                kind: 'cancelled',
                before: booking,
                after: booking,
                origin: 'staff',
                atUtcMs: nowMs,
              }
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

const kivraSimCommand = simulatorCommand({
  name: 'kivra-sim',
  usage:
    '[--port <n>] [--client-id <id>] [--client-secret <s>] [--tenant-key <k>] [--users <pnr,…>]',
  summary: 'Run a local Kivra sender API (auth, usermatch, content) that prints each request.',
  about: [
    'Checks requests as Kivra does (v2 content shape, subject length, future start_time with',
    'an offset, 1 MB, 50 contents per recipient per minute) and prints one line per request,',
    'never a person id or secret. Point KIVRA_URL at the address it prints and use the same',
    'client id, secret and tenant key. Stops on Ctrl-C.',
  ],
  options: {
    'client-id': { type: 'string', arg: 'id', help: 'default tidbok-demo' },
    'client-secret': { type: 'string', arg: 's', help: 'default demo-secret' },
    'tenant-key': { type: 'string', arg: 'k', help: 'default demo-tenant' },
    users: {
      type: 'string',
      arg: 'pnr,…',
      help: 'only these personnummer are Kivra users (default: everyone)',
      parse: (raw) => (raw ? raw.split(',').map((u) => u.trim()) : undefined),
    },
  },
  serve: runKivraSimulatorCommand,
});
