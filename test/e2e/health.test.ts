import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createStore } from '../../src/store/create-store.ts';
import { startEiTestApp, startTestApp, testEiChannel } from '../support/test-app.ts';

async function ready(url: string) {
  const response = await fetch(`${url}/health/ready`);
  assert.equal(response.headers.get('content-type'), 'application/json');
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('/health/live and /health/ready', () => {
  it('is live, and ready when the store answers with its schema up to date', async () => {
    // The engagement index with no URL: its messages are queued, and nothing delivers them.
    const t = await startTestApp({ channels: [testEiChannel()] });
    try {
      assert.equal((await fetch(`${t.url}/health/live`)).status, 200);
      const { status, body } = await ready(t.url);
      assert.equal(status, 200);
      assert.equal(body['ready'], true);
      assert.deepEqual(body['dispatchers'], { 'engagement-index': 'not configured' });
      assert.deepEqual(body['store'], {
        reachable: true,
        migrationsApplied: true,
        schemaVersion: (body['store'] as { expectedSchemaVersion: number }).expectedSchemaVersion,
        expectedSchemaVersion: (body['store'] as { expectedSchemaVersion: number })
          .expectedSchemaVersion,
      });
    } finally {
      await t.close();
    }
  });

  it('is not ready (503) once the store cannot be reached', async () => {
    const store = createStore('sqlite::memory:');
    const t = await startTestApp({ store });
    try {
      await store.close();
      const { status, body } = await ready(t.url);
      assert.equal(status, 503);
      assert.equal(body['ready'], false);
      assert.equal((body['store'] as { reachable: boolean }).reachable, false);
    } finally {
      await t.close();
    }
  });

  it('is ready while the EI dispatcher runs, and not once it has stopped', async () => {
    const t = await startEiTestApp();
    try {
      assert.deepEqual((await ready(t.url)).body['dispatchers'], { 'engagement-index': 'running' });
      await t.app.dispatchers.get('engagement-index')!.stop();
      const { status, body } = await ready(t.url);
      assert.equal(status, 503);
      assert.deepEqual(body['dispatchers'], { 'engagement-index': 'stopped' });
    } finally {
      await t.close();
    }
  });

  it('stops reporting ready as soon as a shutdown begins', async () => {
    const t = await startTestApp();
    const closing = t.app.close();
    const report = await t.app.readiness();
    await closing;
    assert.equal(report.accepting, false);
    assert.equal(report.ready, false);
  });
});
