/**
 * The admin API's contract as a client reads it: the OpenAPI document at
 * /admin/openapi.json describes every route, the requests the API accepts
 * and the answers it gives (checked with a JSON Schema validator against
 * real traffic), routes other modules contribute are served and documented
 * the same way, and every refusal keeps the `{ "error": … }` shape without
 * echoing a personnummer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { z } from 'zod';
import { defineAdminRoute, noQuery } from '../../src/admin/admin-route.ts';
import { FACILITY, PATIENT, PATIENT_INFO } from '../support/test-calendar.ts';
import { startTestApp, testEiChannel, type TestApp } from '../support/test-app.ts';

const TOKEN = 'test-admin-token-0123456789';
const auth = { Authorization: `Bearer ${TOKEN}` };

interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}
interface Operation {
  requestBody?: { content: { 'application/json': { schema: unknown } } };
  responses: Record<string, { content?: { 'application/json': { schema: unknown } } }>;
}

async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown>; text: string; headers: Headers }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...auth, 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    json: JSON.parse(text) as Record<string, unknown>,
    text,
    headers: res.headers,
  };
}

void describe('the admin API contract', () => {
  let t: TestApp;
  let doc: OpenApi;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  before(async () => {
    t = await startTestApp({
      adminToken: TOKEN,
      // The engagement index contributes its reload route.
      channels: [testEiChannel()],
      adminRoutes: [
        ({ now }) => [
          defineAdminRoute({
            method: 'POST',
            path: '/admin/test/double',
            summary: 'A contributed route',
            body: z.object({ n: z.number().int() }),
            query: noQuery,
            answer: z.object({ doubled: z.number().int(), at: z.number() }),
            handle: async ({ body }) => ({ doubled: body.n * 2, at: now() }),
          }),
        ],
      ],
    });
    const res = await call(t.url, 'GET', '/admin/openapi.json');
    assert.equal(res.status, 200, res.text);
    doc = res.json as unknown as OpenApi;
    ajv.addSchema(doc, 'openapi');
  });
  after(() => t.close());

  /** The validator of a documented schema, by JSON pointer into the document. */
  function validator(path: string, method: string, part: 'request' | string) {
    const pointer =
      part === 'request'
        ? `/paths/${path.replaceAll('/', '~1')}/${method}/requestBody/content/application~1json/schema`
        : `/paths/${path.replaceAll('/', '~1')}/${method}/responses/${part}/content/application~1json/schema`;
    const validate = ajv.getSchema(`openapi#${pointer}`);
    assert.ok(validate, `${method} ${path} documents its ${part} schema`);
    return (value: unknown) => {
      const ok = validate(value);
      return ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
    };
  }

  void it('needs the token for the document too', async () => {
    assert.equal((await fetch(`${t.url}/admin/openapi.json`)).status, 401);
  });

  void it('documents every route, contributed ones included', () => {
    assert.equal(doc.openapi, '3.1.0');
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    assert.deepEqual(routes.sort(), [
      'GET /admin/bookings/{id}',
      'GET /admin/facilities/{hsaId}',
      'GET /admin/outbox',
      'POST /admin/bookings',
      'POST /admin/bookings/{id}/cancel',
      'POST /admin/bookings/{id}/rebook',
      'POST /admin/ei/reload',
      'POST /admin/facilities/{hsaId}/postal-address',
      'POST /admin/invitations',
      'POST /admin/invitations/{id}/change',
      'POST /admin/invitations/{id}/withdraw',
      'POST /admin/outbox/retry',
      'POST /admin/test/double',
    ]);
  });

  void it('describes the requests it accepts and the answers it gives', async () => {
    const request = validator('/admin/bookings', 'post', 'request');
    const answer = validator('/admin/bookings', 'post', '201');
    const body = {
      slotId: t.calendar.doctorSlots[0]!.id,
      subjectOfCare: PATIENT,
      patient: PATIENT_INFO,
    };
    assert.deepEqual(request(body), []);
    assert.notDeepEqual(
      request({ ...body, patient: { firstName: 'Tolvan' } }),
      [],
      'lastName required',
    );
    const booked = await call(t.url, 'POST', '/admin/bookings', body);
    assert.equal(booked.status, 201, booked.text);
    assert.deepEqual(answer(booked.json), []);

    const shown = await call(t.url, 'GET', `/admin/bookings/${String(booked.json['id'])}`);
    assert.deepEqual(validator('/admin/bookings/{id}', 'get', '200')(shown.json), []);
    const outbox = await call(t.url, 'GET', '/admin/outbox');
    assert.deepEqual(validator('/admin/outbox', 'get', '200')(outbox.json), []);

    const refused = await call(t.url, 'POST', '/admin/bookings', {
      ...body,
      subjectOfCare: '19121212121X',
    });
    assert.equal(refused.status, 400);
    assert.deepEqual(validator('/admin/bookings', 'post', '400')(refused.json), []);

    const invitation = {
      facility: FACILITY,
      subjectOfCare: PATIENT,
      patient: PATIENT_INFO,
      timeTypeId: 'TT-LAK',
      purpose: 'Årskontroll',
    };
    assert.deepEqual(validator('/admin/invitations', 'post', 'request')(invitation), []);
    const created = await call(t.url, 'POST', '/admin/invitations', invitation);
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(validator('/admin/invitations', 'post', '201')(created.json), []);
  });

  void it('serves a contributed route behind the token, checked by its schema', async () => {
    const doubled = await call(t.url, 'POST', '/admin/test/double', { n: 21 });
    assert.equal(doubled.status, 200, doubled.text);
    assert.equal(doubled.json['doubled'], 42);
    assert.deepEqual(validator('/admin/test/double', 'post', '200')(doubled.json), []);
    assert.deepEqual(validator('/admin/test/double', 'post', 'request')({ n: 21 }), []);

    const bad = await call(t.url, 'POST', '/admin/test/double', { n: 'x' });
    assert.equal(bad.status, 400);
    assert.match(String(bad.json['error']), /^n /);
    const anonymous = await fetch(`${t.url}/admin/test/double`, {
      method: 'POST',
      body: '{"n":1}',
    });
    assert.equal(anonymous.status, 401);
  });

  void it('answers 404, 405, 400 and 413 in the error shape', async () => {
    const unknown = await call(t.url, 'GET', '/admin/nothing');
    assert.equal(unknown.status, 404);
    assert.deepEqual(Object.keys(unknown.json), ['error']);

    // Issue 19 item 8: an id in any spelling where a booking id belongs is not echoed.
    for (const id of ['198402230208', '19840223+0208', '8402230208', '840223-0208']) {
      const notFound = await call(t.url, 'GET', `/admin/bookings/${encodeURIComponent(id)}`);
      assert.equal(notFound.status, 404);
      assert.match(
        String(notFound.json['error']),
        /no booking or invitation with id (19)?840223-\*\*\*\*$/,
      );
      assert.doesNotMatch(notFound.text, /0208/, id);
    }

    const wrongMethod = await call(t.url, 'GET', '/admin/test/double');
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get('allow'), 'POST');
    assert.match(String(wrongMethod.json['error']), /use POST here/);

    const notJson = await call(t.url, 'POST', '/admin/test/double', '{"n":');
    assert.equal(notJson.status, 400);
    assert.equal(notJson.json['error'], 'the request body is not valid JSON');

    const huge = await call(t.url, 'POST', '/admin/test/double', {
      n: 1,
      pad: 'x'.repeat(300_000),
    });
    assert.equal(huge.status, 413);
    assert.match(String(huge.json['error']), /exceeds/);
  });
});
