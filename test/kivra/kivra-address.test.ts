/**
 * A unit's postal address, set through the admin API, becomes the Kivra
 * booking's location and is printed in the PDF; removed, the location is the
 * unit's name alone.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { soapMakeBooking } from '../support/booking-calls.ts';
import { FACILITY } from '../support/test-calendar.ts';
import { pdfText } from './letter-facts.ts';
import { startKivraTestApp, type KivraTestApp } from './kivra-test-app.ts';

const TOKEN = 'kivra-address-admin-token';
const ADDRESS = { street: 'Hantverkargatan 11', postalCode: '112 21', city: 'Stockholm' };

describe('facility postal address in Kivra letters', () => {
  let t: KivraTestApp;
  before(async () => {
    t = await startKivraTestApp({ keyGapMs: 0, app: { adminToken: TOKEN } });
  });
  after(() => t.close());

  const admin = async (path: string, body?: unknown) => {
    const res = await fetch(`${t.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const locationOfNextLetter = async (slotIndex: number) => {
    const before = t.kivra.contents.length;
    await soapMakeBooking(t.url, t.calendar.doctorSlots[slotIndex]!);
    await t.drained();
    const [content] = t.kivra.contents.slice(before);
    return {
      location: (content!.content['booking'] as Record<string, string>)['location'],
      pdf: pdfText(
        Buffer.from((content!.content['parts'] as { data: string }[])[0]!.data, 'base64'),
      ),
    };
  };

  it('sets the address through the admin API and sends it as the location', async () => {
    const set = await admin(`/admin/facilities/${FACILITY}/postal-address`, {
      postalAddress: ADDRESS,
    });
    assert.equal(set.status, 200);
    assert.deepEqual(set.json['postalAddress'], ADDRESS);
    assert.deepEqual((await admin(`/admin/facilities/${FACILITY}`)).json['postalAddress'], ADDRESS);
    const { location, pdf } = await locationOfNextLetter(0);
    assert.equal(location, 'Vårdcentralen Kungsholmen, Hantverkargatan 11, 112 21 Stockholm');
    assert.ok(pdf.includes('Hantverkargatan 11, 112 21 Stockholm'), pdf);
  });

  it('refuses a bad postal code and changes nothing', async () => {
    const refused = await admin(`/admin/facilities/${FACILITY}/postal-address`, {
      postalAddress: { ...ADDRESS, postalCode: '1122' },
    });
    assert.equal(refused.status, 400);
    assert.match(JSON.stringify(refused.json), /postal code/);
    assert.deepEqual((await admin(`/admin/facilities/${FACILITY}`)).json['postalAddress'], ADDRESS);
    assert.equal((await admin('/admin/facilities/SE2321000016-none')).status, 404);
  });

  it('removes the address: the location is the unit name alone', async () => {
    const removed = await admin(`/admin/facilities/${FACILITY}/postal-address`, {
      postalAddress: null,
    });
    assert.equal(removed.status, 200);
    assert.equal('postalAddress' in removed.json, false);
    assert.equal((await locationOfNextLetter(1)).location, 'Vårdcentralen Kungsholmen');
  });
});
