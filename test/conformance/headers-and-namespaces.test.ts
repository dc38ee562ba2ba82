import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NS } from '../../src/contracts/namespaces.ts';
import {
  GetAllTimeTypes,
  GetAvailableTimeslots,
  MakeBooking,
  schedulingInteractions,
} from '../../src/contracts/scheduling.ts';
import { PingForConfiguration } from '../../src/contracts/monitoring.ts';
import { decodeComplex } from '../../src/xml/decode.ts';
import { parseXml } from '../../src/xml/parse.ts';
import { sampleDocument, writeTree } from '../support/contract-samples.ts';
import {
  assertFault,
  callSoap,
  postSoap,
  requestEnvelope,
  wrapRequest,
} from '../support/soap-client.ts';
import { FACILITY, HIDDEN, PARTNER, PATIENT } from '../support/test-calendar.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { asPatient, availabilityRequest, makeBookingRequest, personnummer } from './consumer.ts';

const extNs = 'urn:riv:crm:scheduling:GetAvailableTimeslotsResponder:1.1';

/** rivta-spec §6 must-haves 3, 5 and 6: the RIV-TA headers, and parsing by namespace, never by prefix. */
describe('SOAP headers and namespaces', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  const timeslotsRequest = () => availabilityRequest(t.calendar.days, PATIENT);
  const decodeTimeslots = (body: Parameters<typeof decodeComplex>[1]) =>
    decodeComplex(GetAvailableTimeslots.response, body).timeslotDetail;
  const timeslotsPath = () => t.url + GetAvailableTimeslots.path;

  /** What the canonical request gets; the variants below must get exactly this. */
  const canonicalAnswer = async () => {
    const answer = await callSoap(t.url, GetAvailableTimeslots, timeslotsRequest(), asPatient());
    assert.equal(answer.status, 200);
    assert.ok(answer.response!.timeslotDetail.length > 0, 'the control search finds slots');
    return answer.response!.timeslotDetail;
  };

  describe('LogicalAddress', () => {
    it('is compared case-insensitively, in the header and against the body', async () => {
      const expected = await canonicalAnswer();
      for (const address of [FACILITY.toUpperCase(), FACILITY.toLowerCase()]) {
        for (const bodyFacility of [FACILITY, address]) {
          const answer = await callSoap(
            t.url,
            GetAvailableTimeslots,
            { ...timeslotsRequest(), healthcare_facility: bodyFacility },
            { ...asPatient(), logicalAddress: address },
          );
          assert.equal(answer.status, 200, `${address} / ${bodyFacility}`);
          assert.deepEqual(
            answer.response!.timeslotDetail,
            expected,
            `${address} / ${bodyFacility}`,
          );
        }
      }
    });

    it('gives HTTP 500 with a soap:Client fault on every operation when it is missing, empty or unknown', async () => {
      const interactions = [...schedulingInteractions, PingForConfiguration];
      for (const interaction of interactions) {
        const body = sampleDocument(
          interaction.name,
          interaction.responderNs,
          interaction.request,
          'full',
        );
        const url = t.url + interaction.path;
        const cases: [string, string | undefined, RegExp][] = [
          ['missing', undefined, /LogicalAddress.*missing or empty/],
          ['empty', '', /LogicalAddress.*missing or empty/],
          ['blank', '   ', /LogicalAddress.*missing or empty/],
          ['unknown', 'SE2321000016-NONE', /not a healthcare facility served by this producer/],
        ];
        for (const [name, address, pattern] of cases) {
          const answer = await postSoap(
            url,
            wrapRequest(body, address === undefined ? {} : { logicalAddress: address }),
          );
          assert.equal(answer.status, 500, `${interaction.name}, ${name} address`);
          assertFault(answer, 'Client', pattern);
        }
      }
    });

    it('must name the facility the request is about, on every operation that names one', async () => {
      for (const interaction of schedulingInteractions) {
        const body = sampleDocument(
          interaction.name,
          interaction.responderNs,
          interaction.request,
          'full',
        );
        assert.ok(body.includes(FACILITY), `${interaction.name}: the sample names ${FACILITY}`);
        const answer = await postSoap(
          t.url + interaction.path,
          wrapRequest(body, { logicalAddress: PARTNER }),
        );
        assertFault(answer, 'Client', /does not match the request's healthcare_facility/);
      }
    });

    it('refuses a booking addressed to one facility for a slot at another, and books nothing', async () => {
      const before = await t.app.store.stats();
      const answer = await callSoap(
        t.url,
        MakeBooking,
        makeBookingRequest(t.calendar.doctorSlots[0]!, PATIENT),
        { ...asPatient(), logicalAddress: HIDDEN },
      );
      assertFault(answer, 'Client', /does not match/);
      assert.deepEqual(await t.app.store.stats(), before);
    });

    it('may occur only once', async () => {
      const envelope = wrapRequest(
        sampleDocument(
          GetAllTimeTypes.name,
          GetAllTimeTypes.responderNs,
          GetAllTimeTypes.request,
          'full',
        ),
        {
          logicalAddress: FACILITY,
          extraHeaders: `<LogicalAddress xmlns="${NS.registry}">${PARTNER}</LogicalAddress>`,
        },
      );
      assertFault(await postSoap(t.url + GetAllTimeTypes.path, envelope), 'Client', /only once/);
    });
  });

  describe('Actor and other headers', () => {
    const timeTypesBody = () =>
      requestEnvelope(
        GetAllTimeTypes,
        { healthcare_facility: FACILITY, careTypeIDs: [], subject_of_care: PATIENT },
        { logicalAddress: FACILITY },
      );

    it('answers a request without the Actor header as it answers the patient', async () => {
      const withActor = await callSoap(
        t.url,
        GetAllTimeTypes,
        { healthcare_facility: FACILITY, careTypeIDs: [], subject_of_care: PATIENT },
        asPatient(),
      );
      const without = await postSoap(t.url + GetAllTimeTypes.path, timeTypesBody());
      assert.equal(without.status, 200);
      assert.deepEqual(decodeComplex(GetAllTimeTypes.response, without.body), withActor.response);
      assert.ok(withActor.response!.ListOfTimeTypes.length > 0);
    });

    it('ignores unknown headers that are not marked mustUnderstand (or marked 0/false, or marked without the SOAP namespace)', async () => {
      const expected = await canonicalAnswer();
      const headers = [
        `<x:Trace xmlns:x="urn:example:tracing"><x:id>abc</x:id></x:Trace>`,
        `<x:Trace xmlns:x="urn:example:tracing" xmlns:s="${NS.soapEnv}" s:mustUnderstand="0">abc</x:Trace>`,
        `<x:Trace xmlns:x="urn:example:tracing" xmlns:s="${NS.soapEnv}" s:mustUnderstand="false">abc</x:Trace>`,
        `<x:Trace xmlns:x="urn:example:tracing" mustUnderstand="1">abc</x:Trace>`,
        `<wsa:MessageID xmlns:wsa="http://www.w3.org/2005/08/addressing">urn:uuid:1</wsa:MessageID>`,
      ];
      for (const extraHeaders of headers) {
        const answer = await callSoap(t.url, GetAvailableTimeslots, timeslotsRequest(), {
          ...asPatient(),
          extraHeaders,
        });
        assert.equal(answer.status, 200, extraHeaders);
        assert.deepEqual(answer.response!.timeslotDetail, expected, extraHeaders);
      }
    });

    it('refuses an unknown header marked soapenv:mustUnderstand="1" with a MustUnderstand fault and books nothing', async () => {
      const before = await t.app.store.stats();
      for (const value of ['1', 'true']) {
        const answer = await callSoap(
          t.url,
          MakeBooking,
          makeBookingRequest(t.calendar.doctorSlots[0]!, PATIENT),
          {
            ...asPatient(),
            extraHeaders: `<wsse:Security xmlns:wsse="urn:example:security" xmlns:soapenv="${NS.soapEnv}" soapenv:mustUnderstand="${value}"/>`,
          },
        );
        assertFault(answer, 'MustUnderstand', /urn:example:security/);
      }
      assert.deepEqual(await t.app.store.stats(), before);
      assert.equal(
        await t.app.store.findActiveBookingOnSlot(t.calendar.doctorSlots[0]!.id),
        undefined,
      );
    });
  });

  describe('Actor and character encoding', () => {
    it('refuses an Actor header whose actorType is neither subject_of_care nor subject_of_care_agent', async () => {
      const answer = await callSoap(t.url, GetAvailableTimeslots, timeslotsRequest(), {
        logicalAddress: FACILITY,
        actor: { actorId: PATIENT, actorType: 'staff' },
      });
      assertFault(answer, 'Client', /actorType/);
    });

    it('reads a request in the charset it declares and answers in UTF-8', async () => {
      const patient = personnummer(3);
      const slot = t.calendar.doctorSlots[6]!;
      const text = requestEnvelope(
        MakeBooking,
        {
          ...makeBookingRequest(slot, patient),
          subject_of_care_info: { firstName: 'Åsa', lastName: 'Öberg-Ärlig' },
        },
        asPatient(patient),
      ).replace('encoding="UTF-8"', 'encoding="ISO-8859-1"');
      const latin1 = Buffer.from(text, 'latin1');
      assert.equal(latin1.indexOf(Buffer.from('Åsa', 'utf8')), -1, 'the bytes are not UTF-8');
      for (const contentType of ['text/xml; charset=ISO-8859-1', 'text/xml']) {
        const answer = await postSoap(t.url + MakeBooking.path, latin1, {
          'Content-Type': contentType,
        });
        assert.equal(answer.status, 200, `${contentType}: ${answer.text.slice(0, 300)}`);
        assert.match(answer.contentType ?? '', /charset=UTF-8/i);
      }
      const booking = await t.app.store.findActiveBookingOnSlot(slot.id);
      assert.deepEqual(
        [booking?.patient.firstName, booking?.patient.lastName],
        ['Åsa', 'Öberg-Ärlig'],
      );
    });
  });

  describe('namespaces, not prefixes', () => {
    it('gives the same answer whatever prefixes or default namespaces the request uses', async () => {
      const expected = await canonicalAnswer();
      const [first, last] = [t.calendar.days[0]!, t.calendar.days[2]!];
      const canonicalBody = requestEnvelope(GetAvailableTimeslots, timeslotsRequest(), {});
      const bodyElement = parseXml(canonicalBody).children.find((c) => c.local === 'Body')!
        .children[0]!;

      const defaultNamespaces =
        `<S:Envelope xmlns:S="${NS.soapEnv}"><S:Header>` +
        `<reg:LogicalAddress xmlns:reg="${NS.registry}">${FACILITY}</reg:LogicalAddress>` +
        `</S:Header><S:Body>${writeTree(bodyElement)}</S:Body></S:Envelope>`;

      // The same prefix `a` bound to two different namespaces in nested scopes.
      const reboundPrefix =
        `<Envelope xmlns="${NS.soapEnv}"><Header>` +
        `<LogicalAddress xmlns="${NS.registry}">${FACILITY}</LogicalAddress>` +
        `<a:Actor xmlns:a="${NS.headers}"><a:actorId>${PATIENT}</a:actorId><a:actorType>subject_of_care</a:actorType></a:Actor>` +
        `</Header><Body>` +
        `<a:GetAvailableTimeslots xmlns:a="${GetAvailableTimeslots.responderNs}">` +
        `<a:healthcare_facility>${FACILITY}</a:healthcare_facility>` +
        `<a:startDateInclusive>${first}</a:startDateInclusive>` +
        `<a:endDateInclusive>${last}</a:endDateInclusive>` +
        `<a:subject_of_care xmlns:a="${extNs}">${PATIENT}</a:subject_of_care>` +
        `</a:GetAvailableTimeslots></Body></Envelope>`;

      // Prefixes declared once on the envelope, with unusual names.
      const prefixesOnEnvelope =
        `<ns0:Envelope xmlns:ns0="${NS.soapEnv}" xmlns:ns1="${GetAvailableTimeslots.responderNs}" ` +
        `xmlns:ns2="${extNs}" xmlns:ns3="${NS.registry}"><ns0:Header><ns3:LogicalAddress>${FACILITY}</ns3:LogicalAddress></ns0:Header>` +
        `<ns0:Body><ns1:GetAvailableTimeslots><ns1:healthcare_facility>${FACILITY}</ns1:healthcare_facility>` +
        `<ns1:startDateInclusive>${first}</ns1:startDateInclusive><ns1:endDateInclusive>${last}</ns1:endDateInclusive>` +
        `<ns2:subject_of_care>${PATIENT}</ns2:subject_of_care></ns1:GetAvailableTimeslots></ns0:Body></ns0:Envelope>`;

      for (const [name, envelope] of Object.entries({
        defaultNamespaces,
        reboundPrefix,
        prefixesOnEnvelope,
      })) {
        const answer = await postSoap(timeslotsPath(), envelope);
        assert.equal(answer.status, 200, `${name}: ${answer.text.slice(0, 300)}`);
        assert.deepEqual(decodeTimeslots(answer.body), expected, name);
      }
    });

    it('ignores unknown elements of other namespaces where the contract has xs:any ##other', async () => {
      const expected = await canonicalAnswer();
      const extra = `<x:extra xmlns:x="urn:example"><x:deeper>ignored</x:deeper></x:extra>`;
      const envelope = requestEnvelope(GetAvailableTimeslots, timeslotsRequest(), asPatient());
      const withExtra = envelope.replace(/(<\/[\w]+:GetAvailableTimeslots>)/, `${extra}${extra}$1`);
      assert.notEqual(withExtra, envelope);
      const answer = await postSoap(timeslotsPath(), withExtra);
      assert.equal(answer.status, 200, answer.text.slice(0, 300));
      assert.deepEqual(decodeTimeslots(answer.body), expected);

      const patient = personnummer(1);
      const slot = t.calendar.doctorSlots[5]!;
      const booking = requestEnvelope(
        MakeBooking,
        makeBookingRequest(slot, patient),
        asPatient(patient),
      )
        .replace(/(<\/[\w]+:subject_of_care_info>)/, `${extra}$1`)
        .replace(/(<\/[\w]+:MakeBooking>)/, `${extra}$1`);
      const made = await postSoap(t.url + MakeBooking.path, booking);
      assert.equal(made.status, 200, made.text.slice(0, 300));
      const decoded = decodeComplex(MakeBooking.response, made.body);
      assert.equal(decoded.resultCode, 'OK');
      assert.equal((await t.app.store.findActiveBookingOnSlot(slot.id))?.id, decoded.bookingId);
    });

    it('refuses an element of the right name in the wrong namespace with a Client fault', async () => {
      const inResponderNs =
        `<g:GetAvailableTimeslots xmlns:g="${GetAvailableTimeslots.responderNs}">` +
        `<g:healthcare_facility>${FACILITY}</g:healthcare_facility>` +
        `<g:startDateInclusive>${t.calendar.days[0]}</g:startDateInclusive>` +
        `<g:endDateInclusive>${t.calendar.days[2]}</g:endDateInclusive>` +
        `<g:subject_of_care>${PATIENT}</g:subject_of_care></g:GetAvailableTimeslots>`;
      assertFault(
        await postSoap(timeslotsPath(), wrapRequest(inResponderNs, asPatient())),
        'Client',
        /subject_of_care: is in namespace 'urn:riv:crm:scheduling:GetAvailableTimeslotsResponder:1' but this contract expects it in 'urn:riv:crm:scheduling:GetAvailableTimeslotsResponder:1.1'/,
      );

      const inCoreNs = inResponderNs.replace(
        `<g:subject_of_care>${PATIENT}</g:subject_of_care>`,
        `<c:subject_of_care xmlns:c="${NS.schedulingCore}">${PATIENT}</c:subject_of_care>`,
      );
      assertFault(
        await postSoap(timeslotsPath(), wrapRequest(inCoreNs, asPatient())),
        'Client',
        /subject_of_care/,
      );

      const noNamespace = inResponderNs.replace(
        `<g:healthcare_facility>${FACILITY}</g:healthcare_facility>`,
        `<healthcare_facility>${FACILITY}</healthcare_facility>`,
      );
      assertFault(
        await postSoap(timeslotsPath(), wrapRequest(noNamespace, asPatient())),
        'Client',
        /healthcare_facility/,
      );
    });

    it('refuses a SOAP 1.2 envelope with a VersionMismatch fault in a SOAP 1.1 envelope', async () => {
      const soap12 = requestEnvelope(
        GetAvailableTimeslots,
        timeslotsRequest(),
        asPatient(),
      ).replaceAll(NS.soapEnv, NS.soap12Env);
      const answer = await postSoap(timeslotsPath(), soap12, {
        'Content-Type': 'application/soap+xml; charset=UTF-8',
      });
      assertFault(answer, 'VersionMismatch', /SOAP 1\.1/);
      assert.ok(answer.text.includes(NS.soapEnv), 'the fault is written in SOAP 1.1');
    });
  });
});
