import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CancelBooking,
  GetAllTimeTypes,
  GetBookingDetails,
  MakeBooking,
} from '../../src/contracts/scheduling.ts';
import { startChildServer, type ChildServer } from '../support/child-server.ts';
import { captureLogs } from '../support/log-capture.ts';
import {
  assertFault,
  parseAnswer,
  postSoap,
  requestEnvelope,
  wrapRequest,
} from '../support/soap-client.ts';
import { FACILITY, PARTNER, PATIENT, PATIENT_INFO } from '../support/test-calendar.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * Every request here would book a real free slot if it were accepted, so
 * "the store is unchanged" proves the refusal happened before any write.
 */
describe('bad input gets a clear fault and changes nothing', () => {
  let t: TestApp;
  let url: string;
  before(async () => {
    t = await startTestApp({ limits: { maxBodyBytes: 64 * 1024 } });
    url = t.url + MakeBooking.path;
  });
  after(() => t.close());

  const slot = () => t.calendar.doctorSlots[0]!;
  const bookingBody = (
    overrides: {
      subject?: string;
      start?: string;
      facility?: string;
      ns?: string;
      slotIndex?: number;
    } = {},
  ) => {
    const s = t.calendar.doctorSlots[overrides.slotIndex ?? 0]!;
    const ns = overrides.ns ?? MakeBooking.responderNs;
    return (
      `<mb:MakeBooking xmlns:mb="${ns}" xmlns:c="urn:riv:crm:scheduling:1" xmlns:c11="urn:riv:crm:scheduling:1.1">` +
      `<mb:healthcare_facility_med>${FACILITY}</mb:healthcare_facility_med>` +
      `<mb:requestedTimeslot><c:startTimeInclusive>${overrides.start ?? s.start.ts}</c:startTimeInclusive>` +
      `<c:endTimeExclusive>${s.end.ts}</c:endTimeExclusive><c:healthcare_facility>${overrides.facility ?? FACILITY}</c:healthcare_facility>` +
      `<c:bookingId>${s.id}</c:bookingId><c:subject_of_care>${overrides.subject ?? PATIENT}</c:subject_of_care></mb:requestedTimeslot>` +
      `<mb:subject_of_care_info><c11:firstName>Tolvan</c11:firstName><c11:lastName>Tolvansson</c11:lastName></mb:subject_of_care_info>` +
      `</mb:MakeBooking>`
    );
  };

  async function expectUnchanged(send: () => Promise<void>) {
    const before = await t.app.store.stats();
    await send();
    assert.deepEqual(await t.app.store.stats(), before, 'the store is unchanged');
    assert.equal(await t.app.store.findActiveBookingOnSlot(slot().id), undefined);
  }

  it('accepts the well-formed request these cases are made from (control)', async () => {
    const answer = await postSoap(
      url,
      wrapRequest(bookingBody({ slotIndex: 1 }), { logicalAddress: FACILITY }),
    );
    assert.equal(answer.status, 200);
    assert.match(answer.text, /<[^>]*resultCode>OK</);
  });

  it('refuses malformed XML with a Client fault that says where', () =>
    expectUnchanged(async () => {
      const answer = await postSoap(
        url,
        wrapRequest(bookingBody(), { logicalAddress: FACILITY }).replace(
          '</mb:requestedTimeslot>',
          '',
        ),
      );
      assertFault(answer, 'Client', /malformed XML/);
    }));

  it('refuses an empty body and a body that is not XML', () =>
    expectUnchanged(async () => {
      assertFault(await postSoap(url, ''), 'Client');
      assertFault(
        await postSoap(url, 'hello, is this the booking line?'),
        'Client',
        /malformed XML/,
      );
    }));

  it('refuses a DOCTYPE with an entity expansion bomb without expanding it', () =>
    expectUnchanged(async () => {
      const bomb =
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>' +
        wrapRequest(bookingBody(), { logicalAddress: FACILITY })
          .replace(/^<\?xml[^>]*\?>/, '')
          .replace('Tolvan<', '&lol4;<');
      assertFault(await postSoap(url, bomb), 'Client', /DOCTYPE/);
    }));

  it('refuses an external entity (XXE) without reading the file', () =>
    expectUnchanged(async () => {
      const xxe =
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' +
        wrapRequest(bookingBody(), { logicalAddress: FACILITY })
          .replace(/^<\?xml[^>]*\?>/, '')
          .replace('Tolvan<', '&xxe;<');
      const answer = await postSoap(url, xxe);
      assertFault(answer, 'Client', /DOCTYPE/);
      assert.doesNotMatch(answer.text, /root:/);
    }));

  it('refuses an oversized body with a Client fault', () =>
    expectUnchanged(async () => {
      const padding = `<x:pad xmlns:x="urn:example:padding">${'a'.repeat(70 * 1024)}</x:pad>`;
      const answer = await postSoap(
        url,
        wrapRequest(bookingBody().replace('</mb:MakeBooking>', `${padding}</mb:MakeBooking>`), {
          logicalAddress: FACILITY,
        }),
      );
      assertFault(answer, 'Client', /exceeds 65536 bytes/);
    }));

  it('refuses an oversized body sent in chunks, without a length, and closes the connection', () =>
    expectUnchanged(async () => {
      const padding = `<x:pad xmlns:x="urn:example:padding">${'a'.repeat(70 * 1024)}</x:pad>`;
      const envelope = wrapRequest(
        bookingBody().replace('</mb:MakeBooking>', `${padding}</mb:MakeBooking>`),
        { logicalAddress: FACILITY },
      );
      const { status, headers, text } = await new Promise<{
        status: number;
        headers: IncomingHttpHeaders;
        text: string;
      }>((resolve, reject) => {
        const req = request(url, { method: 'POST', headers: { 'Content-Type': 'text/xml' } });
        req.on('error', reject);
        req.on('response', (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
        });
        for (let i = 0; i < envelope.length; i += 4096) req.write(envelope.slice(i, i + 4096));
        req.end();
      });
      assert.equal(headers['transfer-encoding'], undefined, 'the answer has a length');
      assert.equal(headers['connection'], 'close');
      assertFault(parseAnswer(status, headers['content-type'] ?? null, text), 'Client', /exceeds/);
    }));

  it('refuses elements nested deeper than the limit', () =>
    expectUnchanged(async () => {
      const deep = '<x:d xmlns:x="urn:example:deep">'.repeat(100) + '</x:d>'.repeat(100);
      const answer = await postSoap(
        url,
        wrapRequest(bookingBody().replace('</mb:MakeBooking>', `${deep}</mb:MakeBooking>`), {
          logicalAddress: FACILITY,
        }),
      );
      assertFault(answer, 'Client', /deeper than/);
    }));

  it('refuses bytes that are not valid UTF-8', () =>
    expectUnchanged(async () => {
      const text = wrapRequest(bookingBody(), { logicalAddress: FACILITY });
      const bytes = Buffer.concat([
        Buffer.from(text.slice(0, 200)),
        Buffer.from([0xc3, 0x28]),
        Buffer.from(text.slice(200)),
      ]);
      assertFault(await postSoap(url, bytes), 'Client', /not valid utf-8/i);
    }));

  it('refuses a request element in the wrong namespace', () =>
    expectUnchanged(async () => {
      const answer = await postSoap(
        url,
        wrapRequest(bookingBody({ ns: 'urn:riv:crm:scheduling:MakeBookingResponder:2' }), {
          logicalAddress: FACILITY,
        }),
      );
      assertFault(answer, 'Client', /unknown request element/);
    }));

  it('refuses a request that lacks a mandatory element, naming it', () =>
    expectUnchanged(async () => {
      const body = bookingBody().replace(
        /<mb:subject_of_care_info>.*<\/mb:subject_of_care_info>/,
        '',
      );
      const answer = await postSoap(url, wrapRequest(body, { logicalAddress: FACILITY }));
      assertFault(answer, 'Client', /subject_of_care_info: is mandatory but missing/);
    }));

  it('refuses an invalid personnummer without echoing it', () =>
    expectUnchanged(async () => {
      for (const bad of [
        '19121212121',
        '1912121212123',
        '19121212-1212',
        '191213321212',
        '^191212121212$',
      ]) {
        const answer = await postSoap(
          url,
          wrapRequest(bookingBody({ subject: bad }), { logicalAddress: FACILITY }),
        );
        assertFault(answer, 'Client', /subject_of_care/);
        assert.ok(
          !answer.fault!.message.includes(bad),
          'the faultstring does not repeat the value',
        );
      }
    }));

  it('refuses impossible dates', () =>
    expectUnchanged(async () => {
      for (const bad of ['20270230090000', '20271301090000', '2027010109000', '20270101250000']) {
        const answer = await postSoap(
          url,
          wrapRequest(bookingBody({ start: bad }), { logicalAddress: FACILITY }),
        );
        assertFault(answer, 'Client', /startTimeInclusive/);
      }
    }));

  it('refuses a missing, empty or unknown LogicalAddress', () =>
    expectUnchanged(async () => {
      assertFault(await postSoap(url, wrapRequest(bookingBody())), 'Client', /LogicalAddress/);
      assertFault(
        await postSoap(url, wrapRequest(bookingBody(), { logicalAddress: '' })),
        'Client',
        /LogicalAddress/,
      );
      assertFault(
        await postSoap(url, wrapRequest(bookingBody(), { logicalAddress: 'SE2321000016-none' })),
        'Client',
        /not a healthcare facility/,
      );
    }));

  it('refuses a LogicalAddress that differs from the facility in the request', () =>
    expectUnchanged(async () => {
      const answer = await postSoap(url, wrapRequest(bookingBody(), { logicalAddress: PARTNER }));
      assertFault(answer, 'Client', /does not match/);
    }));

  it('refuses a well-formed request whose envelope is not SOAP 1.1', () =>
    expectUnchanged(async () => {
      const soap12 = wrapRequest(bookingBody(), { logicalAddress: FACILITY }).replace(
        'http://schemas.xmlsoap.org/soap/envelope/',
        'http://www.w3.org/2003/05/soap-envelope',
      );
      assertFault(await postSoap(url, soap12), 'VersionMismatch');
    }));

  it('still answers correctly after all of the above', async () => {
    const s = t.calendar.doctorSlots[2]!;
    const answer = await postSoap(
      url,
      requestEnvelope(
        MakeBooking,
        {
          healthcare_facility_med: FACILITY,
          requestedTimeslot: {
            startTimeInclusive: s.start.ts,
            endTimeExclusive: s.end.ts,
            healthcare_facility: FACILITY,
            bookingId: s.id,
            subject_of_care: PATIENT,
          },
          subject_of_care_info: PATIENT_INFO,
        },
        { logicalAddress: FACILITY },
      ),
    );
    assert.equal(answer.status, 200);
  });
});

/** Sends raw bytes and resolves with everything the server answered before closing. */
function rawExchange(base: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    let answer = '';
    socket.setEncoding('latin1').on('data', (s: string) => (answer += s));
    socket.on('close', () => resolve(answer)).on('error', reject);
  });
}

const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);

describe('no request ends the process (issue 19 item 1)', () => {
  const TOKEN = 'raw-requests-admin-token-0123';
  let dir: string;
  let server: ChildServer;
  let adminUrl: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tidbok-raw-'));
    server = await startChildServer({
      TIDBOK_DB: join(dir, 'tidbok.db'),
      TIDBOK_ADMIN_TOKEN: TOKEN,
      TIDBOK_ADMIN_PORT: '0',
      LOG_LEVEL: 'warn',
    });
    const match = /Admin API: (http:\/\/\S+)\/admin\//.exec(server.output());
    assert.ok(match, server.output());
    adminUrl = match[1]!;
  });
  after(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  const hostile = (path: string) => [
    `GET http://x:99999${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    `POST http://x:99999${MakeBooking.path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
    `GET http://[::1${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    `GET /admin/bookings/%E0%A4%A HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`,
    `GET /health/live HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n`,
  ];

  for (const listener of ['SOAP', 'admin'] as const)
    it(`answers hostile request lines on the ${listener} listener with 4xx and keeps serving`, async () => {
      const base = listener === 'SOAP' ? server.url : adminUrl;
      for (const bytes of hostile('/admin/outbox')) {
        const answer = await rawExchange(base, bytes);
        const status = statusOf(answer);
        assert.ok(
          status >= 400 && status < 500,
          `${JSON.stringify(bytes)} got ${answer.slice(0, 80)}`,
        );
      }
      const outbox = await fetch(`${adminUrl}/admin/outbox`, {
        headers: { Authorization: `Bearer ${TOKEN}` },
      });
      assert.equal(outbox.status, 200, 'the admin listener still serves');
      assert.equal((await fetch(`${server.url}/health/live`)).status, 200, 'and the SOAP one');
      assert.equal(server.child.exitCode, null, 'the process is alive');
    });
});

/** Every spelling of Tolvan's personnummer: 12 and 10 digits, with -, + or nothing; and a samordningsnummer. */
const PERSON_ID_FORMS = [
  '191212121212',
  '19121212-1212',
  '19121212+1212',
  '1212121212',
  '121212-1212',
  '121212+1212',
  '121272-1212',
];
const CLEAR_ID =
  /(?<![0-9])(?:[0-9]{8}|[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01]|6[1-9]|[78][0-9]|9[01]))[-+]?[0-9pPtTfF][0-9]{3}(?![0-9])/;

describe('a personnummer in any spelling is masked in faults and log lines (issue 19 item 8)', () => {
  const logs = captureLogs();
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ logger: logs.logger });
  });
  after(() => t.close());

  for (const id of PERSON_ID_FORMS)
    it(`masks ${id.slice(0, 6)}… as LogicalAddress, bookingId, facility, namespace and in the headers`, async () => {
      const timeTypes = (logicalAddress: string, facility = logicalAddress) =>
        requestEnvelope(
          GetAllTimeTypes,
          { healthcare_facility: facility, subject_of_care: PATIENT, careTypeIDs: [] },
          { logicalAddress },
        );
      const answers = [
        await postSoap(t.url + GetAllTimeTypes.path, timeTypes(id)),
        await postSoap(t.url + GetAllTimeTypes.path, timeTypes(FACILITY, id)),
        ...(await Promise.all(
          [GetBookingDetails, CancelBooking].map((interaction) =>
            postSoap(
              t.url + interaction.path,
              requestEnvelope(
                interaction,
                { healthcare_facility: FACILITY, bookingId: id },
                { logicalAddress: FACILITY },
              ),
            ),
          ),
        )),
        await postSoap(
          t.url + GetAllTimeTypes.path,
          wrapRequest(`<x:GetAllTimeTypes xmlns:x="urn:riv:crm:scheduling:${id}"/>`, {
            logicalAddress: FACILITY,
          }),
        ),
        await postSoap(t.url + GetAllTimeTypes.path, timeTypes(id), {
          'x-skltp-correlation-id': id,
          'x-rivta-original-serviceconsumer-hsaid': id,
        }),
      ];
      assert.equal(answers[0]!.status, 500, 'an unknown LogicalAddress is a fault');
      for (const answer of answers) assert.doesNotMatch(answer.text, CLEAR_ID, answer.text);
      assert.ok(logs.lines.length > 0);
      for (const line of logs.lines) assert.doesNotMatch(line, CLEAR_ID, line);
    });
});

/** Resolves with how long the server took to close a connection that sends `bytes` and then nothing. */
function closedAfter(base: string, bytes = ''): Promise<number> {
  const { hostname, port } = new URL(base);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      if (bytes) socket.write(bytes);
    });
    socket.resume();
    socket.on('close', () => resolve(performance.now() - started)).on('error', reject);
  });
}

describe('silent and slow clients are cut off on every listener (issue 19 item 9)', () => {
  let dir: string;
  let server: ChildServer;
  let adminUrl: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tidbok-slow-'));
    server = await startChildServer({
      TIDBOK_DB: join(dir, 'tidbok.db'),
      TIDBOK_ADMIN_TOKEN: 'slow-clients-admin-token-0123',
      TIDBOK_ADMIN_PORT: '0',
      LOG_LEVEL: 'warn',
      TIDBOK_HTTP_HEADERS_TIMEOUT_MS: '400',
      TIDBOK_HTTP_REQUEST_TIMEOUT_MS: '1500',
      TIDBOK_HTTP_KEEP_ALIVE_TIMEOUT_MS: '400',
      TIDBOK_HTTP_MAX_CONNECTIONS: '3',
    });
    adminUrl = /Admin API: (http:\/\/\S+)\/admin\//.exec(server.output())![1]!;
  });
  after(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  for (const listener of ['SOAP', 'admin'] as const) {
    const base = () => (listener === 'SOAP' ? server.url : adminUrl);

    it(`closes a connection that sends nothing on the ${listener} listener`, async () => {
      const ms = await closedAfter(base());
      assert.ok(ms >= 300 && ms < 5_000, `closed after ${Math.round(ms)} ms`);
    });

    it(`closes a connection that stalls in its headers on the ${listener} listener`, async () => {
      const ms = await closedAfter(base(), 'GET /health/live HTTP/1.1\r\nHost: x\r\n');
      assert.ok(ms < 5_000, `closed after ${Math.round(ms)} ms`);
    });

    it(`closes an idle keep-alive connection on the ${listener} listener`, async () => {
      const ms = await closedAfter(base(), 'GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.ok(ms < 5_000, `closed after ${Math.round(ms)} ms`);
    });
  }

  it('holds at most the configured number of connections, and serves again once they close', async () => {
    const { hostname, port } = new URL(server.url);
    const open = await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<ReturnType<typeof connect>>((resolve) => {
            const socket = connect(Number(port), hostname, () => resolve(socket));
            socket.on('error', () => undefined);
          }),
      ),
    );
    const started = performance.now();
    const extra = await closedAfter(server.url);
    assert.ok(extra < 300, `the fourth connection was closed at once (${Math.round(extra)} ms)`);
    for (const socket of open) socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await fetch(`${server.url}/health/live`)).status, 200);
    assert.ok(performance.now() - started < 5_000);
  });
});
