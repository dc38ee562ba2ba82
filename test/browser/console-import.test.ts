/**
 * The console's calendar import in a real Chromium: upload a file, read the
 * preview, confirm with the keyboard and find the new slot in the week
 * calendar; a bad file and a forged cross-site confirm change nothing. Each
 * page is checked with axe-core and screenshotted; no console error may
 * occur.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { calendarUpload, UPLOAD_SLOT_ID, UPLOAD_TIME_TYPE } from '../support/calendar-upload.ts';
import { FACILITY } from '../support/test-calendar.ts';
import { describeInChromium } from './browser-session.ts';

const TOKEN = 'console-import-browser-token-0123456789';

describeInChromium('calendar import in the console, in Chromium', TOKEN, (rig) => {
  before(async () => {
    await rig.b.page.goto(`${rig.t.url}/console/import`);
    await rig.b.page.getByTestId('token').fill(TOKEN);
    await rig.b.page.getByTestId('sign-in').click();
    await rig.b.page.getByTestId('import-file').waitFor();
  });

  const testId = (id: string) => rig.b.page.getByTestId(id);
  const day = () => rig.t.calendar.days[1]!;
  const counts = (stage: string, kind: string) =>
    rig.b.page
      .locator(`[data-testid="import-report"][data-stage="${stage}"] tr[data-kind="${kind}"]`)
      .evaluate((row) => [
        row.dataset['created'],
        row.dataset['changed'],
        row.dataset['unchanged'],
      ]);

  async function preview(text: string) {
    await rig.b.page.goto(`${rig.t.url}/console/import`);
    await testId('import-file').setInputFiles({
      name: 'kalender.json',
      mimeType: 'application/json',
      buffer: Buffer.from(text),
    });
    await testId('import-preview').click();
  }

  void it('previews an upload, imports it on confirm and shows the new slot in the week calendar', async () => {
    await rig.b.checkPage('console-import-form');
    const statsBefore = await rig.t.app.store.stats();
    await preview(calendarUpload(day()));
    await testId('import-report').waitFor();
    assert.deepEqual(await counts('preview', 'timeslots'), ['1', '0', '0']);
    assert.deepEqual(await counts('preview', 'timeTypes'), ['1', '0', '0']);
    assert.deepEqual(await counts('preview', 'invitations'), ['1', '0', '0']);
    assert.equal(await rig.t.app.store.getTimeslot(UPLOAD_SLOT_ID), undefined, 'not written yet');
    assert.deepEqual(await rig.t.app.store.stats(), statsBefore);
    await rig.b.checkPage('console-import');

    // Keyboard: the confirm button takes focus and Enter submits it.
    await testId('confirm').focus();
    await rig.b.page.keyboard.press('Enter');
    await rig.b.page.waitForURL(/\/console\/import\?done=/);
    assert.deepEqual(await counts('done', 'timeslots'), ['1', '0', '0']);
    await rig.b.checkPage('console-import-done');
    assert.equal((await rig.t.app.store.getTimeslot(UPLOAD_SLOT_ID))?.timeTypeId, UPLOAD_TIME_TYPE);

    await rig.b.page.goto(`${rig.t.url}/console/?facility=${FACILITY}&week=${day()}`);
    const slot = rig.b.page.locator(`[data-testid="slot"][data-start="${day()}070000"]`);
    assert.equal(await slot.count(), 1);
    assert.equal(await slot.getAttribute('data-state'), 'free');
    assert.match((await slot.textContent()) ?? '', /Hälsosamtal \(importerad\)/);
  });

  void it('shows the problems of a bad file and changes nothing', async () => {
    const statsBefore = await rig.t.app.store.stats();
    const errorsBefore = rig.b.errors.length;
    await preview('{ "facilities": [ { "hsaId": "x" } ] }');
    const problems = testId('import-errors');
    await problems.waitFor();
    assert.match((await problems.textContent()) ?? '', /facilities\[0\]\.name/);
    assert.equal(await testId('confirm').count(), 0, 'nothing to confirm');
    await rig.b.checkPage('console-import-error');
    assert.deepEqual(await rig.t.app.store.stats(), statsBefore);
    // The page answers 400 (the file is refused), which Chromium logs as a failed load; that
    // one line is expected, anything else is not.
    assert.deepEqual(
      rig.b.errors.splice(errorsBefore).map((e) => e.replace(/^http:\/\/[^/]+/, '')),
      [
        '/console/import/preview: Failed to load resource: the server responded with a status of 400 (Bad Request)',
      ],
    );
  });

  void it('a forged cross-site post to the confirm URL changes nothing', async () => {
    await preview(calendarUpload(day(), { timeTypeName: 'Förfalskad' }));
    const previewId = await rig.b.page.locator('input[name="previewId"]').inputValue();
    const typesBefore = await rig.t.app.store.listTimeTypes(FACILITY);
    // Even knowing the preview id, another site's page cannot confirm it.
    const status = await rig.b.postFromAnotherSite(`${rig.t.url}/console/import/confirm`, {
      previewId,
      _csrf: 'guess',
    });
    assert.ok([401, 403].includes(status), `status ${status}`);
    assert.deepEqual(await rig.t.app.store.listTimeTypes(FACILITY), typesBefore);
  });

  void it('saw no console error in any page', () => {
    assert.deepEqual(rig.b.errors, []);
  });
});
