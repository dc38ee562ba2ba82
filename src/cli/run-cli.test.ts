import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CliError } from './command.ts';
import type { CliIo, Command } from './command.ts';
import { runCli } from './run-cli.ts';

function recorder(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), env };
  return { io, out, err };
}

function command(name: string, run: Command['run']): Command {
  return { name, usage: '[--x]', summary: `the ${name} command`, help: `help of ${name}`, run };
}

void describe('runCli', () => {
  const calls: string[] = [];
  const commands = [
    command('ei', async (args) => {
      calls.push(`ei ${args.join(' ')}`);
      return 0;
    }),
    command('ei reload', async (args) => {
      calls.push(`ei reload ${args.join(' ')}`);
      return 0;
    }),
    command('fail', async () => {
      throw new CliError('the file is wrong');
    }),
    command('crash', async () => {
      throw new TypeError('x is undefined');
    }),
  ];

  void it('picks the command with the longest matching name and passes it the rest', async () => {
    const { io } = recorder();
    calls.length = 0;
    assert.equal(await runCli(['ei', 'reload', '--all'], commands, io), 0);
    assert.equal(await runCli(['ei', 'status'], commands, io), 0);
    assert.deepEqual(calls, ['ei reload --all', 'ei status']);
  });

  void it('lists every command for --help and exits 2 when no command is given', async () => {
    const help = recorder();
    assert.equal(await runCli(['--help'], commands, help.io), 0);
    assert.ok(help.out.includes('  ei reload  the ei reload command'));
    assert.equal(await runCli([], commands, recorder().io), 2);
  });

  void it('prints a command of several words its own help', async () => {
    const { io, out } = recorder();
    assert.equal(await runCli(['ei', 'reload', '--help'], commands, io), 0);
    assert.equal(out[0], 'Usage: tidbok ei reload [--x]');
    assert.ok(out.includes('help of ei reload'));
  });

  void it('prints a user error as one line and exits with its code', async () => {
    const { io, err } = recorder();
    assert.equal(await runCli(['fail'], commands, io), 1);
    assert.deepEqual(err, ['tidbok fail: the file is wrong']);
  });

  void it('names an unexpected error without a stack unless TIDBOK_DEBUG is set', async () => {
    const quiet = recorder();
    assert.equal(await runCli(['crash'], commands, quiet.io), 1);
    assert.deepEqual(quiet.err, [
      'tidbok crash failed: TypeError: x is undefined',
      '(set TIDBOK_DEBUG=1 to see where)',
    ]);
    const debug = recorder({ TIDBOK_DEBUG: '1' });
    await runCli(['crash'], commands, debug.io);
    assert.match(debug.err[1] ?? '', /^TypeError: x is undefined\n\s+at /);
  });
});
