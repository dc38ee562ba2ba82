/**
 * The staff console and the 1177 simulator in a real Chromium: the issue's
 * flows end to end, each page checked with axe-core and screenshotted, and
 * no console error anywhere. The simulator talks SOAP over HTTP to the same
 * tidbok; every change must show up on the other side.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { FACILITY, PATIENT } from '../support/test-calendar.ts';
import { describeInChromium } from './browser-session.ts';

const TOKEN = 'console-browser-test-token-0123456789';

describeInChromium('console and 1177 simulator in Chromium', TOKEN, (rig) => {
  const go = (path: string) => rig.b.page.goto(rig.t.url + path);
  const testId = (id: string) => rig.b.page.getByTestId(id);

  /** Searches in the simulator as the test patient at the test unit. */
  async function simulatorSearch() {
    await go('/simulator/');
    await testId('personnummer').fill(PATIENT);
    await testId('facility').selectOption(FACILITY);
    await testId('search').click();
  }

  /** Picks the first free date and the `index`th free time, and books it; returns the booking id. */
  async function simulatorBook(index = 0): Promise<string> {
    await testId('date').first().click();
    const slot = testId('timeslot').nth(index);
    await slot.click();
    await testId('book').click();
    const notice = await rig.b.page.locator('p.notice').textContent();
    const id = /Boknings-id: ([\w-]+)\./.exec(notice ?? '')?.[1];
    assert.ok(id, `no booking id in "${notice}"`);
    return id;
  }

  void it('without a session every console and simulator URL redirects to sign-in or answers 401', async () => {
    for (const path of [
      '/console/',
      '/console/invitations',
      '/console/deliveries',
      '/simulator/',
      '/console/bookings/x',
    ]) {
      const res = await fetch(rig.t.url + path, {
        redirect: 'manual',
        headers: { accept: 'text/html' },
      });
      assert.equal(res.status, 303, path);
      assert.match(res.headers.get('location') ?? '', /^\/console\/sign-in/);
    }
    for (const path of [
      '/simulator/search',
      '/simulator/book',
      '/console/invitations',
      '/console/deliveries/1/retry',
    ]) {
      const res = await fetch(rig.t.url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `facility=${FACILITY}&subjectOfCare=${PATIENT}`,
      });
      assert.equal(res.status, 401, path);
    }
  });

  void it('signs in with the admin token and shows the week calendar', async () => {
    await go('/console/');
    await rig.b.checkPage('sign-in');
    await testId('token').fill(TOKEN);
    await testId('sign-in').click();
    await testId('calendar').waitFor();
    // The seeded calendar starts tomorrow, which may be in the next week.
    if ((await testId('slot').count()) === 0) {
      await testId('next-week').click();
      await testId('calendar').waitFor();
    }
    assert.ok((await testId('slot').count()) > 0);
    await rig.b.checkPage('console-calendar');
  });

  void it('books in the simulator and the console calendar shows the slot booked with that id', async () => {
    await simulatorSearch();
    const bookingId = await simulatorBook();
    const log = (await testId('soap-log').textContent()) ?? '';
    assert.match(log, /MakeBooking/);
    assert.ok(log.includes(bookingId), 'the booking id is in the SOAP log');
    assert.doesNotMatch(log, new RegExp(PATIENT), 'the SOAP log masks the personnummer');
    assert.equal(
      await rig.b.page.locator('.exchange.invalid').count(),
      0,
      'every exchange is schema-valid',
    );
    const mine = rig.b.page.locator(`[data-testid="my-booking"][data-booking-id="${bookingId}"]`);
    assert.equal(await mine.count(), 1);
    await rig.b.page
      .locator('details.exchange')
      .first()
      .evaluate((d) => ((d as HTMLDetailsElement).open = true));
    await rig.b.checkPage('simulator');

    const stored = await rig.t.app.store.getBooking(bookingId);
    assert.equal(stored?.status, 'active');
    await go(`/console/?facility=${FACILITY}&week=${stored.start!.ts.slice(0, 8)}`);
    const slot = rig.b.page.locator(`[data-testid="slot"][data-booking-id="${bookingId}"]`);
    assert.equal(await slot.getAttribute('data-state'), 'booked');
    assert.equal(await slot.getAttribute('data-start'), stored.start!.ts);
  });

  void it('rebooks and cancels from the console, and the simulator\'s "my bookings" follows', async () => {
    await simulatorSearch();
    const bookingId = await simulatorBook(1);
    const before = await rig.t.app.store.getBooking(bookingId);
    await go(`/console/bookings/${bookingId}`);
    await testId('booking').waitFor();
    await rig.b.checkPage('console-booking');
    const options = testId('rebook-slot').locator('option');
    const target = (await options.nth(1).getAttribute('value'))!;
    await testId('rebook-slot').selectOption(target);
    await testId('rebook-booking').click();
    await rig.b.page.waitForURL(/done=rebooked/);
    const moved = await rig.t.app.store.getBooking(bookingId);
    assert.equal(moved?.slotId, target);
    assert.notEqual(moved?.start?.ts, before?.start?.ts);

    await go('/simulator/');
    const mine = rig.b.page.locator(`[data-testid="my-booking"][data-booking-id="${bookingId}"]`);
    assert.match(
      (await mine.textContent()) ?? '',
      new RegExp(`${moved!.start!.ts.slice(8, 10)}:${moved!.start!.ts.slice(10, 12)}`),
    );

    await go(`/console/bookings/${bookingId}`);
    await rig.b.page.locator('#message').fill('Doktorn är sjuk.');
    await testId('cancel-booking').click();
    await rig.b.page.waitForURL(/done=cancelled/);
    assert.equal((await rig.t.app.store.getBooking(bookingId))?.status, 'cancelled');
    await go('/simulator/');
    assert.equal(await mine.count(), 0);
  });

  void it('creates an open invitation in the console and books it in the simulator', async () => {
    await go(`/console/invitations?facility=${FACILITY}`);
    await rig.b.page.locator('#inv-pnr').fill(PATIENT);
    await rig.b.page.locator('#inv-first').fill('Tolvan');
    await rig.b.page.locator('#inv-last').fill('Tolvansson');
    await rig.b.page.locator('#inv-purpose').fill('Välkommen på årlig kontroll.');
    await testId('create-invitation').click();
    const invitation = testId('invitation').first();
    const invitationId = (await invitation.getAttribute('data-booking-id'))!;
    assert.equal((await rig.t.app.store.getBooking(invitationId))?.isInvitation, true);
    await rig.b.checkPage('console-invitations');

    await simulatorSearch();
    await testId('invitation-id').fill(invitationId);
    await testId('open-invitation').click();
    const booked = await simulatorBook();
    assert.equal(booked, invitationId, 'MakeBooking on the invitation answers its id');
    const stored = await rig.t.app.store.getBooking(invitationId);
    assert.equal(stored?.isInvitation, false);
    assert.ok(stored?.slotId);
    assert.equal(
      await rig.b.page
        .locator(`[data-testid="my-booking"][data-booking-id="${invitationId}"]`)
        .count(),
      1,
    );
  });

  void it('retries a dead-lettered delivery from the console', async () => {
    await rig.t.drained();
    rig.t.ei.failNext(1, 'EI002');
    const callsBefore = rig.t.ei.calls.length;
    await simulatorSearch();
    await simulatorBook();
    let dead = 0;
    for (let i = 0; i < 200 && dead === 0; i++) {
      dead = (await rig.t.app.outbox.status('engagement-index')).dead.length;
      if (dead === 0) await new Promise((r) => setTimeout(r, 25));
    }
    assert.equal(dead, 1);
    await go('/console/deliveries');
    const row = testId('dead-letter');
    assert.match((await row.textContent()) ?? '', /EI002/);
    await rig.b.checkPage('console-deliveries');
    await row.getByTestId('retry').click();
    await rig.b.page.waitForURL(/retried=1/);
    await rig.t.drained();
    assert.equal((await rig.t.app.outbox.status('engagement-index')).dead.length, 0);
    assert.ok(rig.t.ei.calls.slice(callsBefore).some((c) => c.outcome.startsWith('OK')));
    await go('/console/deliveries');
    assert.equal(await testId('dead-letter').count(), 0);
  });

  void it('a forged cross-site form post changes nothing', async () => {
    await simulatorSearch();
    const bookingId = await simulatorBook();
    const status = await rig.b.postFromAnotherSite(`${rig.t.url}/simulator/cancel`, {
      bookingId,
      _csrf: 'guess',
    });
    assert.ok([401, 403].includes(status), `status ${status}`);
    assert.equal((await rig.t.app.store.getBooking(bookingId))?.status, 'active');
  });

  void it('saw no console error in any page', () => {
    assert.deepEqual(rig.b.errors, []);
  });
});
