/** Namespace URIs used by the contracts we serve and call. */
export const NS = {
  soapEnv: 'http://schemas.xmlsoap.org/soap/envelope/',
  soap12Env: 'http://www.w3.org/2003/05/soap-envelope',
  xs: 'http://www.w3.org/2001/XMLSchema',
  wsdl: 'http://schemas.xmlsoap.org/wsdl/',
  wsdlSoap: 'http://schemas.xmlsoap.org/wsdl/soap/',
  registry: 'urn:riv:itintegration:registry:1',
  headers: 'urn:riv:interoperability:headers:1',
  schedulingCore: 'urn:riv:crm:scheduling:1',
  schedulingCore11: 'urn:riv:crm:scheduling:1.1',
  monitoringCore: 'urn:riv:itintegration:monitoring:1',
  engagementIndexCore: 'urn:riv:itintegration:engagementindex:1',
} as const;

/** The namespace of an interaction's request and response elements. */
export const responderNs = (domain: string, op: string) => `urn:riv:${domain}:${op}Responder:1`;
export const schedulingResponderNs = (op: string) => responderNs('crm:scheduling', op);
export const schedulingExtNs = (op: string) => `urn:riv:crm:scheduling:${op}Responder:1.1`;
