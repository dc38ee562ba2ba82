/**
 * itintegration:engagementindex 1.0 Update: the call we make (as a consumer)
 * to tell the engagement index about every booking change. Described with the
 * same vocabulary as the contracts we serve, so the same encoder writes it and
 * the same decoder reads it in our EI simulator.
 */
import type { Interaction, SimpleType } from './model.ts';
import {
  logicalAddressHeader,
  one,
  oneOrMore,
  opt,
  sequence,
  xsAnyURI,
  xsBoolean,
  xsString,
  TS_PATTERN,
} from './common.ts';
import { NS } from './namespaces.ts';
import { checkTs } from '../domain/local-time.ts';

const core = NS.engagementIndexCore;
const responder = 'urn:riv:itintegration:engagementindex:UpdateResponder:1';

const plain = (name: string) =>
  ({ kind: 'simple', name, ns: core, base: 'string' }) as const satisfies SimpleType;

export const EiHsaIdType = plain('HsaIdType');
export const OrgNoType = plain('OrgNoType');
export const ClinicalProcessInterestIdType = plain('ClinicalProcessInterestIdType');
export const RegisteredResidentIdentificationType = {
  kind: 'simple',
  name: 'RegisteredResidentIdentificationType',
  ns: core,
  base: 'string',
  pattern: '[0-9]{8}[0-9pPtTfF][0-9]{3}',
} as const satisfies SimpleType;
export const EiTS = {
  kind: 'simple',
  name: 'TS',
  ns: core,
  base: 'string',
  pattern: TS_PATTERN,
  check: checkTs,
} as const satisfies SimpleType;
export const EiResultCodeEnum = {
  kind: 'simple',
  name: 'ResultCodeEnum',
  ns: core,
  base: 'string',
  enumeration: ['OK', 'ERROR', 'INFO'],
} as const satisfies SimpleType;

export const EngagementType = sequence(core, 'EngagementType', [
  one(core, 'registeredResidentIdentification', RegisteredResidentIdentificationType),
  one(core, 'serviceDomain', xsAnyURI),
  one(core, 'categorization', xsString),
  one(core, 'logicalAddress', xsString),
  one(core, 'businessObjectInstanceIdentifier', xsString),
  one(core, 'clinicalProcessInterestId', ClinicalProcessInterestIdType),
  opt(core, 'mostRecentContent', EiTS),
  one(core, 'sourceSystem', EiHsaIdType),
  opt(core, 'creationTime', EiTS),
  opt(core, 'updateTime', EiTS),
  one(core, 'dataController', OrgNoType),
  opt(core, 'owner', EiHsaIdType),
]);

export const EngagementTransactionType = sequence(core, 'EngagementTransactionType', [
  one(core, 'deleteFlag', xsBoolean),
  one(core, 'engagement', EngagementType),
]);

export const Update = {
  name: 'Update',
  domain: 'itintegration:engagementindex',
  responderNs: responder,
  wsdlNs: 'urn:riv:itintegration:engagementindex:Update:1:rivtabp21',
  soapAction: `${responder}:Update`,
  request: sequence(responder, 'UpdateType', [
    oneOrMore(responder, 'engagementTransaction', EngagementTransactionType),
  ]),
  response: sequence(responder, 'UpdateResponseType', [
    one(responder, 'ResultCode', EiResultCodeEnum),
    opt(responder, 'comment', xsString),
  ]),
  headers: [logicalAddressHeader],
  path: '/itintegration/engagementindex/Update/1/rivtabp21',
  files: {
    folder: 'UpdateInteraction',
    responderXsd: 'UpdateResponder_1.0.xsd',
    wsdl: 'UpdateInteraction_1.0_RIVTABP21.wsdl',
  },
  schemaVersion: '1.0',
  description: 'Registers, changes or removes engagements in the engagement index.',
} as const satisfies Interaction;
