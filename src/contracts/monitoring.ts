/**
 * itintegration:monitoring 1.0 PingForConfiguration, which every RIV-TA
 * producer answers so the platform can see it is alive (TKB-G §3.7).
 */
import type { ContractBundle, CoreSchema, Interaction, SimpleType } from './model.ts';
import {
  logicalAddressHeader,
  many,
  one,
  registrySchema,
  sequence,
  xsAnyURI,
  xsString,
  TS_PATTERN,
} from './common.ts';
import { NS } from './namespaces.ts';
import { checkTs } from '../domain/local-time.ts';

const responder = 'urn:riv:itintegration:monitoring:PingForConfigurationResponder:1';

export const MonitoringTS = {
  kind: 'simple',
  name: 'TS',
  ns: NS.monitoringCore,
  base: 'string',
  pattern: TS_PATTERN,
  check: checkTs,
} as const satisfies SimpleType;

export const ConfigurationType = sequence(responder, 'ConfigurationType', [
  one(responder, 'name', xsString),
  one(responder, 'value', xsString),
]);

export const PingForConfiguration = {
  name: 'PingForConfiguration',
  domain: 'itintegration:monitoring',
  responderNs: responder,
  wsdlNs: 'urn:riv:itintegration:monitoring:PingForConfiguration:1:rivtabp21',
  soapAction: `${responder}:PingForConfiguration`,
  request: sequence(responder, 'PingForConfigurationType', [
    one(responder, 'serviceContractNamespace', xsAnyURI),
    one(responder, 'logicalAddress', xsAnyURI),
  ]),
  response: sequence(responder, 'PingForConfigurationResponseType', [
    one(responder, 'version', xsString),
    one(responder, 'pingDateTime', MonitoringTS),
    many(responder, 'configuration', ConfigurationType),
  ]),
  headers: [logicalAddressHeader],
  path: '/itintegration/monitoring/PingForConfiguration/1/rivtabp21',
  files: {
    folder: 'PingForConfigurationInteraction',
    responderXsd: 'PingForConfigurationResponder_1.0.xsd',
    wsdl: 'PingForConfigurationInteraction_1.0_RIVTABP21.wsdl',
  },
  schemaVersion: '1.0',
  description: 'Tells the platform that this producer is up, and how it is configured.',
} as const satisfies Interaction;

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
