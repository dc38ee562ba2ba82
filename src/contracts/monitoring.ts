/**
 * itintegration:monitoring 1.0 PingForConfiguration, which every RIV-TA
 * producer answers so the platform can see it is alive (TKB-G §3.7).
 */
import type { ContractBundle, CoreSchema } from './model.ts';
import {
  logicalAddressHeader,
  many,
  one,
  registrySchema,
  rivInteraction,
  sequence,
  tsType,
  xsAnyURI,
  xsString,
} from './common.ts';
import { NS, responderNs } from './namespaces.ts';

const domain = 'itintegration:monitoring';
const responder = responderNs(domain, 'PingForConfiguration');

export const MonitoringTS = tsType(NS.monitoringCore);

export const ConfigurationType = sequence(responder, 'ConfigurationType', [
  one(responder, 'name', xsString),
  one(responder, 'value', xsString),
]);

export const PingForConfiguration = rivInteraction(
  domain,
  'PingForConfiguration',
  {
    request: [
      one(responder, 'serviceContractNamespace', xsAnyURI),
      one(responder, 'logicalAddress', xsAnyURI),
    ],
    response: [
      one(responder, 'version', xsString),
      one(responder, 'pingDateTime', MonitoringTS),
      many(responder, 'configuration', ConfigurationType),
    ],
  },
  {
    version: '1.0',
    headers: [logicalAddressHeader],
    description: 'Tells the platform that this producer is up, and how it is configured.',
  },
);
/** `core_components/itintegration_monitoring_1.0.xsd`. */
export const monitoringCoreSchema = {
  file: 'itintegration_monitoring_1.0.xsd',
  ns: NS.monitoringCore,
  version: '1.0',
  description: 'Core types of itintegration:monitoring 1.0.',
  types: [MonitoringTS],
  elements: [],
} as const satisfies CoreSchema;

/** The TD_MONITORING_1_0_0_R package as we publish it (PingForConfiguration only). */
export const monitoringBundle = {
  folder: 'itintegration_monitoring_1.0',
  coreSchemas: [monitoringCoreSchema, registrySchema],
  interactions: [PingForConfiguration],
} as const satisfies ContractBundle;
