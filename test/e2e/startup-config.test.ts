import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

/** Starts `src/main.ts` as `npm start` does, with only `env` set; it must stop before serving. */
function start(env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env['PATH'] ?? '', TIDBOK_DB: 'sqlite::memory:', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('a bad configuration stops the process at start-up', () => {
  for (const [env, setting] of [
    [{ PORT: 'eighty' }, 'PORT'],
    [{ NODE_ENV: 'production' }, 'TIDBOK_TLS_CERT'],
    [{ TIDBOK_TLS_CERT: '/nonexistent/cert.pem' }, 'TIDBOK_TLS_CERT'],
    [{ EI_URL: 'ftp://ei.example' }, 'EI_URL'],
  ] as const)
    it(`exits with code 2 and names ${setting} on stderr (${JSON.stringify(env)})`, () => {
      const result = start(env);
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, new RegExp(`configuration error: .*${setting}`));
      assert.doesNotMatch(result.stdout, /is serving/);
    });
});
