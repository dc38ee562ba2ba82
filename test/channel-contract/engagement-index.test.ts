/** The engagement index passes the shared channel contract. */
import { enableChannel } from '../../src/channels/channel-module.ts';
import { engagementIndex } from '../../src/channels/engagement-index/index.ts';
import {
  engagementKey,
  type EngagementTransaction,
} from '../../src/channels/engagement-index/engagement-mapping.ts';
import { faultEnvelope, okEnvelope } from '../../src/dev/ei-simulator.ts';
import {
  assertValidAgainstNational,
  skipWithoutNationalContracts,
} from '../support/national-schemas.ts';
import { TEST_EI_CONFIG } from '../support/test-app.ts';
import { describeChannel } from './channel.contract.ts';

const PERSON = '191212121212';

function transaction(bookingId: string): EngagementTransaction {
  return {
    deleteFlag: false,
    engagement: {
      registeredResidentIdentification: PERSON,
      serviceDomain: 'riv:crm:scheduling',
      categorization: 'Booking',
      logicalAddress: 'SE2321000016-1hz5',
      businessObjectInstanceIdentifier: bookingId,
      clinicalProcessInterestId: 'NA',
      mostRecentContent: '20260619090000',
      sourceSystem: TEST_EI_CONFIG.sourceSystem,
      dataController: TEST_EI_CONFIG.dataController,
    },
  };
}

describeChannel('engagement-index', {
  makeChannel: ({ url, timeoutMs }) =>
    enableChannel(engagementIndex, { ...TEST_EI_CONFIG, url, timeoutMs }).createChannel()!,
  batch: () =>
    ['B1', 'B2'].map((id, i) => {
      const payload = transaction(id);
      return {
        id: i + 1,
        channel: engagementIndex.name,
        key: engagementKey(payload.engagement),
        payload,
        attempts: 1,
        createdAtUtcMs: 0,
      };
    }),
  answers: {
    delivered: { status: 200, headers: { 'Content-Type': 'text/xml' }, body: okEnvelope() },
    // A field EI will refuse again until the data is fixed; EI echoes the person id.
    permanent: {
      status: 500,
      headers: { 'Content-Type': 'text/xml' },
      body: faultEnvelope(`EI004: registeredResidentIdentification ${PERSON} is not valid`),
    },
  },
  personIds: [PERSON],
  checkRequest(request) {
    if (request.method !== 'POST')
      throw new Error(`EI Update must be POSTed, not ${request.method}`);
    if (!request.headers['x-skltp-correlation-id'])
      throw new Error('EI Update without x-skltp-correlation-id');
    if (!skipWithoutNationalContracts) assertValidAgainstNational(request.body);
  },
});
