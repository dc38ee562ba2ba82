import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aClaimedLetter } from '../../test/kivra/kivra-messages.ts';
import { PATIENT } from '../../test/support/builders.ts';
import { startKivraSimulator, type KivraSimulator } from './kivra-simulator.ts';

describe('Kivra simulator', () => {
  let sim: KivraSimulator;
  let token: string;
  let valid: Record<string, unknown>;

  before(async () => {
    sim = await startKivraSimulator();
    const res = await fetch(`${sim.url}/v1/auth`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${sim.clientId}:${sim.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    const body = (await res.json()) as {
      access_token: string;
      expires_in: number;
      token_type: string;
    };
    assert.equal(res.status, 200);
    assert.equal(body.expires_in, 28_800);
    assert.equal(body.token_type, 'bearer');
    token = body.access_token;
    valid = JSON.parse((await aClaimedLetter()).payload.body) as Record<string, unknown>;
  });
  after(() => sim.close());

  const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${sim.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      json: JSON.parse(text) as Record<string, unknown>,
    };
  };
  const content = (changes: Record<string, unknown>) =>
    post(`/v2/tenant/${sim.tenantKey}/content`, JSON.stringify({ ...valid, ...changes }));
  const booking = (changes: Record<string, unknown>) =>
    content({ booking: { ...(valid['booking'] as object), ...changes } });

  const refused = async (
    answer: Promise<{ status: number; headers: Headers; json: Record<string, unknown> }>,
    status: number,
    code: number,
    message: RegExp,
  ) => {
    const { status: got, headers, json } = await answer;
    assert.equal(got, status);
    assert.equal(json['code'], code);
    assert.equal(headers.get('x-error-code'), String(code));
    assert.match(String(json['short_message']), message);
    assert.equal(typeof json['long_message'], 'string');
  };

  it('accepts a valid v2 booking with objkey, location and correlation id', async () => {
    const { status, headers, json } = await content({});
    assert.equal(status, 201);
    assert.match(headers.get('kivra-objkey') ?? '', /^[0-9a-f]{32}$/);
    assert.equal(
      headers.get('location'),
      `/v2/tenant/${sim.tenantKey}/content/${headers.get('kivra-objkey')}`,
    );
    assert.match(headers.get('x-correlation-id') ?? '', /^[0-9a-f-]{36}$/);
    assert.deepEqual(json, {
      subject: valid['subject'],
      generated_at: valid['generated_at'],
      type: 'booking',
    });
  });

  it('refuses what Kivra refuses', async () => {
    await refused(content({ context: { booking: {} } }), 400, 40000, /v1 shape/);
    await refused(content({ files: [] }), 400, 40000, /v1 shape/);
    await refused(content({ ssn: '19121212121' }), 400, 40009, /ssn/);
    await refused(content({ ssn: undefined }), 400, 40024, /recipient/);
    await refused(content({ email: 'a@example.se' }), 400, 40024, /recipient/);
    await refused(content({ subject: 'x'.repeat(36) }), 400, 40000, /subject is longer than 35/);
    await refused(content({ type: 'kallelse' }), 400, 40012, /type/);
    await refused(content({ retain: true }), 422, 42221, /retain/);
    await refused(content({ parts: [] }), 400, 40019, /parts/);
    await refused(
      content({ parts: [{ name: 'a.txt', data: 'YQ==', content_type: 'text/plain' }] }),
      400,
      40019,
      /PDF/,
    );
    const withHtml = (html: string) => ({
      parts: [
        {
          ...(valid['parts'] as Record<string, unknown>[])[0],
          responsive_part: {
            name: 'k.html',
            data: Buffer.from(html).toString('base64'),
            content_type: 'text/html',
          },
        },
      ],
    });
    await refused(content(withHtml('<p>x</p><script>alert(1)</script>')), 400, 40028, /scripts/);
    await refused(
      content(withHtml('<img src="https://tracker.example/p.gif">')),
      400,
      40028,
      /remote/,
    );
    await refused(content({ type: 'letter' }), 400, 40000, /booking is only allowed/);
    await refused(booking({ title: undefined }), 400, 40000, /title/);
    await refused(booking({ start_time: '2030-06-19T09:00:00' }), 400, 40000, /offset/);
    await refused(booking({ start_time: '2020-06-19T09:00:00+02:00' }), 400, 40000, /future/);
    await refused(
      booking({ start_time: '2030-06-19T09:00:00+02:00', end_time: '2030-06-19T08:00:00+02:00' }),
      400,
      40000,
      /end_time must be after/,
    );
    await refused(booking({ info_url: 'http://example.se' }), 400, 40000, /https/);
    await refused(post(`/v2/tenant/${sim.tenantKey}/content`, '{"ssn":', {}), 400, 40008, /JSON/);
    await refused(
      content({ subject: 'x'.repeat(1024 * 1024) }),
      413,
      41300,
      /larger than 1048576 bytes/,
    );
  });

  it('refuses a missing or unknown token and another tenant', async () => {
    const saved = token;
    token = 'not-a-token';
    await refused(content({}), 401, 40100, /token/);
    token = saved;
    await refused(
      post('/v2/tenant/other-tenant/content', JSON.stringify(valid)),
      403,
      40300,
      /tenant/,
    );
  });

  it('answers usermatch with the users among the list', async () => {
    sim.setUsers([PATIENT]);
    const { status, json } = await post(
      `/v2/tenant/${sim.tenantKey}/usermatch/ssn`,
      JSON.stringify({ list: [PATIENT, '201212121212'] }),
    );
    assert.equal(status, 200);
    assert.deepEqual(json, { list: [PATIENT] });
    await refused(content({ ssn: '201212121212' }), 400, 40032, /not a Kivra user/);
    sim.setUsers('everyone');
  });

  it('takes at most 50 contents per recipient per minute, then 429 with Retry-After', async () => {
    const ssn = '199001012380';
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) statuses.push((await content({ ssn })).status);
    assert.deepEqual(new Set(statuses), new Set([201]));
    const { headers } = await content({ ssn });
    await refused(content({ ssn }), 429, 42900, /too many/);
    assert.ok(Number(headers.get('retry-after')) >= 1);
    assert.equal((await content({ ssn: PATIENT })).status, 201, 'other recipients are not held up');
  });
});
