import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CliIo, Command } from './command.ts';
import { dbOption, jsonOption, wholeNumber } from './common-options.ts';
import { defineCommand, onlyPositional } from './define-command.ts';
import { runCli } from './run-cli.ts';
import { simulatorCommand } from './simulator-command.ts';

function recorder() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), env: {} };
  return { io, out, err };
}

async function run(command: Command, args: string[]) {
  const { io, out, err } = recorder();
  const code = await runCli([...command.name.split(' '), ...args], [command], io);
  return { code, out, err };
}

void describe('defineCommand', () => {
  const seen: unknown[] = [];
  const reload = defineCommand({
    name: 'thing reload',
    usage: '<id> --facility <hsa-id> [--times <n>]',
    summary: 'Reload a thing.',
    about: ['Reloads the thing.'],
    options: {
      facility: {
        type: 'string',
        arg: 'hsa-id',
        help: 'which unit to reload',
        required: 'say which unit: --facility <hsa-id>',
      },
      times: { type: 'string', arg: 'n', help: ['how often', 'at most 9'], parse: wholeNumber(9) },
      start: { type: 'string', label: '--start <ts> --end <ts>', help: 'the window' },
      end: { type: 'string' },
      names: {
        type: 'string',
        multiple: true,
        label: '--names, --a-list-longer-than-every-other-label',
        help: '',
      },
      patient: {
        type: 'string',
        arg: 'pnr',
        help: 'the patient',
        also: [['--patient -', 'read it from standard input']],
      },
      ...jsonOption('the report'),
      ...dbOption,
    },
    notes: ['Exit status: 0 when reloaded.'],
    positionals: true,
    async run({ values, positionals }, io) {
      const id = onlyPositional(positionals, 'give the thing id');
      // Typed by the spec: facility is a string, times a number, names a list.
      const facility: string = values.facility;
      const times: number | undefined = values.times;
      const names: string[] | undefined = values.names;
      seen.push({ id, facility, times, names, json: values.json, end: values.end });
      io.out(`reloaded ${id}`);
      return 0;
    },
  });

  void it('derives the help text from the options, aligned, in their order', async () => {
    const { code, out } = await run(reload, ['--help']);
    assert.equal(code, 0);
    assert.deepEqual(out, [
      'Usage: tidbok thing reload <id> --facility <hsa-id> [--times <n>]',
      '',
      'Reload a thing.',
      '',
      [
        'Reloads the thing.',
        '',
        'Options:',
        '  --facility <hsa-id>      which unit to reload',
        '  --times <n>              how often',
        '                           at most 9',
        '  --start <ts> --end <ts>  the window',
        '  --names, --a-list-longer-than-every-other-label',
        '  --patient <pnr>          the patient',
        '  --patient -              read it from standard input',
        '  --json                   print the report as JSON',
        '  --db <url>               store: a SQLite path or sqlite: URL',
        '                           (default: $DATABASE_URL, else $TIDBOK_DB, else ./data/tidbok.db)',
        '',
        'Exit status: 0 when reloaded.',
      ].join('\n'),
    ]);
  });

  void it('hands the command its parsed, converted values', async () => {
    seen.length = 0;
    const args = ['t1', '--facility', 'F1', '--times', '3', '--names', 'a', '--names', 'b'];
    const { code, out } = await run(reload, [...args, '--end', 'E', '--json']);
    assert.equal(code, 0);
    assert.deepEqual(out, ['reloaded t1']);
    assert.deepEqual(seen, [
      { id: 't1', facility: 'F1', times: 3, names: ['a', 'b'], json: true, end: 'E' },
    ]);
  });

  void it('refuses a missing required option, a bad value or a missing id as wrong usage', async () => {
    const cases: [string[], string][] = [
      [['t1'], 'tidbok thing reload: say which unit: --facility <hsa-id>'],
      [['t1', '--facility', ''], 'tidbok thing reload: say which unit: --facility <hsa-id>'],
      [
        ['t1', '--facility', 'F', '--times', '10'],
        'tidbok thing reload: --times must be a whole number up to 9',
      ],
      [
        ['t1', '--facility', 'F', '--times=-1'],
        'tidbok thing reload: --times must be a whole number up to 9',
      ],
      [['--facility', 'F'], 'tidbok thing reload: give the thing id'],
      [['t1', 't2', '--facility', 'F'], 'tidbok thing reload: give the thing id'],
    ];
    seen.length = 0;
    for (const [args, message] of cases) {
      const { code, err } = await run(reload, args);
      assert.equal(code, 2, args.join(' '));
      assert.ok(err[0]?.startsWith(message), `${args.join(' ')}: ${err[0]}`);
      assert.equal(err[1], 'Usage: tidbok thing reload <id> --facility <hsa-id> [--times <n>]');
    }
    assert.deepEqual(seen, [], 'the command never ran');
  });

  void it('refuses arguments besides options unless the command takes them', async () => {
    const status = defineCommand({
      name: 'status',
      usage: '[--json]',
      summary: 'Status.',
      options: jsonOption('the status'),
      run: async () => 0,
    });
    assert.equal(status.help, ['Options:', '  --json  print the status as JSON'].join('\n'));
    const { code, err } = await run(status, ['extra']);
    assert.equal(code, 2);
    assert.match(err[0]!, /Unexpected argument 'extra'/);
  });
});

void describe('simulatorCommand', () => {
  const started: unknown[] = [];
  const sim = simulatorCommand({
    options: {
      'client-id': { type: 'string', arg: 'id', help: 'default demo' },
      users: { type: 'string', arg: 'a,b', help: 'only these', parse: (raw) => raw.split(',') },
    },
    async serve(settings, out) {
      started.push(settings);
      out('listening');
    },
    name: 'x-sim',
    usage: '[--port <n>] [--client-id <id>] [--users <a,b>]',
    summary: 'Run a local X.',
  });

  void it('starts the simulator with the settings its flags name, and only those given', async () => {
    started.length = 0;
    const args = ['--port', '8080', '--client-id', 'c1', '--users', 'a,b'];
    assert.deepEqual((await run(sim, args)).out, ['listening']);
    assert.deepEqual(started, [{ port: 8080, clientId: 'c1', users: ['a', 'b'] }]);
    started.length = 0;
    await run(sim, ['--client-id', '']);
    assert.deepEqual(started, [{}], 'an empty value leaves the default');
  });

  void it('takes --port first, documented, and checks it', async () => {
    assert.match(
      sim.help,
      /^Options:\n {2}--port <n> +port on 127\.0\.0\.1 \(default: a free one\)\n/,
    );
    const { code, err } = await run(sim, ['--port', '70000']);
    assert.equal(code, 2);
    assert.equal(err[0], 'tidbok x-sim: --port must be a whole number up to 65535');
  });
});
