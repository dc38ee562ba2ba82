import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  calendarUpload,
  UPLOAD_INVITATION_ID,
  UPLOAD_SLOT_ID,
  UPLOAD_TIME_TYPE,
} from '../../../test/support/calendar-upload.ts';
import { startEiTestApp, type EiTestApp } from '../../../test/support/test-app.ts';
import { FACILITY } from '../../../test/support/test-calendar.ts';

const TOKEN = 'console-import-test-token-0123456789';

void describe('console calendar import over HTTP', () => {
  let t: EiTestApp;
  let cookie: string;
  let csrf: string;

  before(async () => {
    t = await startEiTestApp({ adminToken: TOKEN });
    const signIn = await fetch(`${t.url}/console/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: TOKEN }).toString(),
    });
    cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const page = await (await fetch(`${t.url}/console/import`, { headers: { cookie } })).text();
    csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
  });
  after(() => t?.close());

  const day = () => t.calendar.days[1]!;

  /** What an import could change: the unit's types, slots, bookings and the outbox. */
  const snapshot = async () => ({
    stats: await t.app.store.stats(),
    timeTypes: await t.app.store.listTimeTypes(FACILITY),
    resources: await t.app.store.listResources(FACILITY),
    bookings: await t.app.store.listActiveBookings(FACILITY),
  });

  const upload = (text: string, fields: Record<string, string> = {}) => {
    const form = new FormData();
    form.set('_csrf', csrf);
    form.set('horizonDays', '14');
    for (const [name, value] of Object.entries(fields)) form.set(name, value);
    form.set('calendarFile', new Blob([text], { type: 'application/json' }), 'kalender.json');
    return fetch(`${t.url}/console/import/preview`, {
      method: 'POST',
      headers: { cookie },
      body: form,
    });
  };

  const confirm = (previewId: string, headers: Record<string, string> = {}, token = csrf) =>
    fetch(`${t.url}/console/import/confirm`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ _csrf: token, previewId }).toString(),
    });

  const previewIdIn = (html: string) => /name="previewId" value="([^"]+)"/.exec(html)?.[1];
  const countsIn = (html: string, kind: string) =>
    new RegExp(
      `data-kind="${kind}" data-created="(\\d+)" data-changed="(\\d+)" data-unchanged="(\\d+)"`,
    )
      .exec(html)
      ?.slice(1)
      .map(Number);

  void it('needs a session: a page request is sent to sign-in, a post gets 401', async () => {
    const page = await fetch(`${t.url}/console/import`, {
      redirect: 'manual',
      headers: { accept: 'text/html' },
    });
    assert.equal(page.status, 303);
    assert.match(page.headers.get('location') ?? '', /^\/console\/sign-in/);
    const post = await fetch(`${t.url}/console/import/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'previewId=x',
    });
    assert.equal(post.status, 401);
  });

  void it('shows the upload form', async () => {
    const res = await fetch(`${t.url}/console/import`, { headers: { cookie } });
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /enctype="multipart\/form-data"/);
    assert.match(html, /data-testid="import-file"/);
  });

  void it('previews a file without writing, then imports exactly that on confirm and EI hears of it', async () => {
    const before = await snapshot();
    const res = await upload(calendarUpload(day()));
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.deepEqual(countsIn(html, 'timeTypes'), [1, 0, 0]);
    assert.deepEqual(countsIn(html, 'resources'), [1, 0, 0]);
    assert.deepEqual(countsIn(html, 'timeslots'), [1, 0, 0]);
    assert.deepEqual(countsIn(html, 'invitations'), [1, 0, 0]);
    assert.deepEqual(countsIn(html, 'facilities'), [0, 0, 1]);
    assert.deepEqual(await snapshot(), before, 'a preview writes nothing');
    const previewId = previewIdIn(html)!;

    // Neither a post without the CSRF token nor one from another site imports anything.
    assert.equal((await confirm(previewId, {}, 'guess')).status, 403);
    assert.equal((await confirm(previewId, { origin: 'http://evil.example' })).status, 403);
    assert.deepEqual(await snapshot(), before);

    const done = await confirm(previewId);
    assert.equal(done.status, 303);
    const location = done.headers.get('location')!;
    assert.equal(location, `/console/import?done=${previewId}`);
    assert.equal((await t.app.store.getTimeslot(UPLOAD_SLOT_ID))?.timeTypeId, UPLOAD_TIME_TYPE);
    assert.equal((await t.app.store.getBooking(UPLOAD_INVITATION_ID))?.isInvitation, true);
    await t.drained();
    assert.ok(
      t.ei.engagements().some((e) => e.businessObjectInstanceIdentifier === UPLOAD_INVITATION_ID),
      'the imported invitation reached the engagement index',
    );

    const report = await (await fetch(t.url + location, { headers: { cookie } })).text();
    assert.match(report, /data-stage="done"/);
    assert.deepEqual(countsIn(report, 'timeslots'), [1, 0, 0]);

    // The same preview cannot be imported twice.
    const again = await confirm(previewId);
    assert.equal(again.status, 409);
    assert.match(await again.text(), /ingen förhandsgranskning att bekräfta/);
  });

  void it('refuses a bad file with its problems and writes nothing', async () => {
    const before = await snapshot();
    const broken = await upload('{"facilities": [ }');
    assert.equal(broken.status, 400);
    const html = await broken.text();
    assert.match(html, /data-testid="import-errors"/);
    assert.match(html, /is not valid JSON/);
    assert.equal(previewIdIn(html), undefined, 'nothing to confirm');

    const wrong = await upload(JSON.stringify({ facilities: [{ hsaId: FACILITY }] }));
    assert.equal(wrong.status, 400);
    assert.match(await wrong.text(), /facilities\[0\]\.name/);

    const empty = await upload('');
    assert.equal(empty.status, 400);
    assert.match(await empty.text(), /Välj en kalenderfil/);

    assert.equal((await upload(calendarUpload(day()), { horizonDays: '0' })).status, 400);
    assert.deepEqual(await snapshot(), before);
  });

  void it('when the calendar changed since the preview, imports nothing and shows the new preview', async () => {
    const first = previewIdIn(
      await (await upload(calendarUpload(day(), { timeTypeName: 'Samtal A' }))).text(),
    )!;
    // Another tab (the same session) previews and imports a different name meanwhile.
    const other = previewIdIn(
      await (await upload(calendarUpload(day(), { timeTypeName: 'Samtal B' }))).text(),
    )!;
    assert.equal((await confirm(first)).status, 409, 'a newer preview replaced the first');
    assert.equal((await confirm(other)).status, 303);

    const stale = previewIdIn(
      await (await upload(calendarUpload(day(), { timeTypeName: 'Samtal C' }))).text(),
    )!;
    await t.app.store.transaction(async (tx) => {
      const type = (await tx.listTimeTypes(FACILITY)).find((x) => x.id === UPLOAD_TIME_TYPE)!;
      await tx.upsertTimeType({ ...type, name: 'Samtal C' });
    });
    const before = await snapshot();
    const outdated = await confirm(stale);
    assert.equal(outdated.status, 409);
    const html = await outdated.text();
    assert.match(html, /har ändrats sedan förhandsgranskningen/);
    assert.deepEqual(countsIn(html, 'timeTypes'), [0, 0, 1], 'the new preview');
    assert.deepEqual(await snapshot(), before);
    assert.equal((await confirm(previewIdIn(html)!)).status, 303);
  });

  void it('answers an upload over the size limit 413', async () => {
    const res = await upload(' '.repeat(5 * 1024 ** 2));
    assert.equal(res.status, 413);
  });
});
