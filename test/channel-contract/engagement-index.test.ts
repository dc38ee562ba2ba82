/** The engagement index passes the shared channel contract. */
import { enableChannel } from '../../src/channels/channel-module.ts';
import { engagementIndex } from '../../src/channels/engagement-index/index.ts';
import { engagementUpsert } from '../../src/channels/engagement-index/engagement-mapping.ts';
import { faultEnvelope, okEnvelope } from '../../src/dev/ei-simulator.ts';
import {
  assertValidAgainstNational,
  skipWithoutNationalContracts,
} from '../support/national-schemas.ts';
import { TEST_EI_CONFIG } from '../support/test-app.ts';
import { PATIENT, aBooking, aFacility } from '../support/builders.ts';
import { describeChannel } from './channel.contract.ts';

/** The upserts the real mapping writes for two bookings of the builders' patient. */
const upserts = ['B1', 'B2'].map((id) =>
  engagementUpsert(aBooking({ id }), aFacility(), TEST_EI_CONFIG),
);

describeChannel('engagement-index', {
  makeChannel: ({ url, timeoutMs }) =>
    enableChannel(engagementIndex, { ...TEST_EI_CONFIG, url, timeoutMs }).createChannel()!,
  batch: () =>
    upserts.map((message, i) => ({ ...message, id: i + 1, attempts: 1, createdAtUtcMs: 0 })),
  answers: {
    delivered: { status: 200, headers: { 'Content-Type': 'text/xml' }, body: okEnvelope() },
    // A field EI will refuse again until the data is fixed; EI echoes the person id.
    permanent: {
      status: 500,
      headers: { 'Content-Type': 'text/xml' },
      body: faultEnvelope(`EI004: registeredResidentIdentification ${PATIENT} is not valid`),
    },
  },
  personIds: [PATIENT],
  checkRequest(request) {
    if (request.method !== 'POST')
      throw new Error(`EI Update must be POSTed, not ${request.method}`);
    if (!request.headers['x-skltp-correlation-id'])
      throw new Error('EI Update without x-skltp-correlation-id');
    if (!skipWithoutNationalContracts) assertValidAgainstNational(request.body);
  },
});
