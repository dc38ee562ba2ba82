/**
 * Kivra passes the shared channel contract for its content call. The token
 * and the usermatch answer are given beforehand (their own calls are tested
 * against the Kivra simulator in src/channels/kivra/kivra-channel.test.ts),
 * so each delivery is the one content POST the contract looks at.
 */
import assert from 'node:assert/strict';
import { KivraChannel } from '../../src/channels/kivra/kivra-channel.ts';
import { UsermatchCache } from '../../src/channels/kivra/usermatch-cache.ts';
import { PATIENT } from '../support/builders.ts';
import { aClaimedLetter } from '../kivra/kivra-messages.ts';
import { describeChannel } from './channel.contract.ts';

const letter = await aClaimedLetter();
const TOKEN = 'contract-test-token';

describeChannel('kivra', {
  makeChannel: ({ url, timeoutMs }) => {
    const usermatchCache = new UsermatchCache();
    usermatchCache.set(PATIENT, true, Date.now());
    return new KivraChannel(
      { url, clientId: 'client', clientSecret: 'secret', tenantKey: 'tenant', timeoutMs },
      { token: { get: async () => TOKEN, invalidate() {} }, usermatchCache },
    );
  },
  batch: () => [{ ...letter, id: 1 }],
  answers: {
    delivered: {
      status: 201,
      headers: { 'Content-Type': 'application/json', 'kivra-objkey': 'a1b2c3' },
      body: '{"subject":"Bokad tid","generated_at":"2026-12-06","type":"booking"}',
    },
    // Kivra echoes what it refused; the reason must not repeat the personnummer.
    permanent: {
      status: 400,
      headers: { 'Content-Type': 'application/json', 'x-error-code': '40009' },
      body: JSON.stringify({
        code: 40009,
        short_message: `Invalid SSN ${PATIENT}`,
        long_message: 'The ssn is not a valid Swedish personal identity number',
      }),
    },
  },
  personIds: [PATIENT],
  checkRequest(request) {
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/v2/tenant/tenant/content');
    assert.equal(request.headers['authorization'], `Bearer ${TOKEN}`);
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.body, letter.payload.body, 'the stored bytes, unchanged');
  },
});
