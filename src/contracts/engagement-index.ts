/**
 * itintegration:engagementindex 1.0 Update: the call we make (as a consumer)
 * to tell the engagement index about every booking change. Described with the
 * same vocabulary as the contracts we serve, so the same encoder writes it and
 * the same decoder reads it in our EI simulator.
 */
import {
  logicalAddressHeader,
  one,
  oneOrMore,
  opt,
  resultCodeEnum,
  rivInteraction,
  sequence,
  stringType,
  tsType,
  xsAnyURI,
  xsBoolean,
  xsString,
} from './common.ts';
import { NS, responderNs } from './namespaces.ts';

const core = NS.engagementIndexCore;
const domain = 'itintegration:engagementindex';
const responder = responderNs(domain, 'Update');

const plain = (name: string) => stringType(core, name);

export const EiHsaIdType = plain('HsaIdType');
export const OrgNoType = plain('OrgNoType');
export const ClinicalProcessInterestIdType = plain('ClinicalProcessInterestIdType');
export const RegisteredResidentIdentificationType = stringType(
  core,
  'RegisteredResidentIdentificationType',
  { pattern: '[0-9]{8}[0-9pPtTfF][0-9]{3}' },
);
export const EiTS = tsType(core);
export const EiResultCodeEnum = resultCodeEnum(core);
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

/**
 * The fields EI hashes into an engagement's key, in the order of its hash
 * (`Engagement.java`): transactions with the same values here are about the
 * same engagement. EI sets `owner` to itself.
 */
export const engagementKeyFields = [
  'registeredResidentIdentification',
  'serviceDomain',
  'categorization',
  'logicalAddress',
  'businessObjectInstanceIdentifier',
  'sourceSystem',
  'dataController',
  'owner',
  'clinicalProcessInterestId',
] as const;

export const EngagementTransactionType = sequence(core, 'EngagementTransactionType', [
  one(core, 'deleteFlag', xsBoolean),
  one(core, 'engagement', EngagementType),
]);

export const Update = rivInteraction(
  domain,
  'Update',
  {
    request: [oneOrMore(responder, 'engagementTransaction', EngagementTransactionType)],
    response: [one(responder, 'ResultCode', EiResultCodeEnum), opt(responder, 'comment', xsString)],
  },
  {
    version: '1.0',
    headers: [logicalAddressHeader],
    description: 'Registers, changes or removes engagements in the engagement index.',
  },
);
