/**
 * Building blocks shared by every contract description: built-in types, the
 * RIV-TA header elements, and small constructors that keep descriptions terse
 * while staying a literal mirror of the XSDs.
 */
import type {
  BuiltinType,
  ComplexType,
  CoreSchema,
  ElementDecl,
  HeaderPart,
  Interaction,
  SimpleType,
  TypeDef,
} from './model.ts';
import { NS, responderNs } from './namespaces.ts';
import { checkTs } from '../domain/local-time.ts';

/** The national TS facet (yyyyMMddHHmmss), identical in every RIV-TA domain's core schema. */
export const TS_PATTERN =
  '[1-9]{1}[0-9]{3}(0[1-9]{1}|1[0-2]{1})([0-2]{1}[0-9]{1}|3[0-1]{1})([0-1]{1}[0-9]{1}|2[0-3]{1})[0-5]{1}[0-9]{1}[0-5]{1}[0-9]{1}';

/** The national DT facet (yyyyMMdd). */
export const DT_PATTERN = '[1-9]{1}[0-9]{3}(0[1-9]{1}|1[0-2]{1})([0-2]{1}[0-9]{1}|3[0-1]{1})';

export const xsString = { kind: 'builtin', name: 'string' } as const satisfies BuiltinType;
export const xsBoolean = { kind: 'builtin', name: 'boolean' } as const satisfies BuiltinType;
export const xsAnyURI = { kind: 'builtin', name: 'anyURI' } as const satisfies BuiltinType;

/** An element declaration that keeps its literal name, type and cardinality in the TS type. */
export interface Element<
  N extends string,
  T extends TypeDef,
  Min extends 0 | 1,
  Max extends 1 | 'unbounded',
> extends ElementDecl {
  readonly name: N;
  readonly type: T;
  readonly minOccurs: Min;
  readonly maxOccurs: Max;
}

/**
 * An element constructor of one cardinality. Its explicit return type keeps
 * the literal name and type: `{ type } as const satisfies ElementDecl` widened
 * `type` to TypeDef, which erased the typed Decoded/Encodable shapes of nested
 * and boolean elements.
 */
function withCardinality<const Min extends 0 | 1, const Max extends 1 | 'unbounded'>(
  minOccurs: Min,
  maxOccurs: Max,
) {
  return <const N extends string, const T extends TypeDef>(
    ns: string,
    name: N,
    type: T,
  ): Element<N, T, Min, Max> => ({ name, ns, type, minOccurs, maxOccurs });
}

/** Element with cardinality 1..1. */
export const one = withCardinality(1, 1);
/** Element with cardinality 0..1. */
export const opt = withCardinality(0, 1);
/** Element with cardinality 0..unbounded. */
export const many = withCardinality(0, 'unbounded');
/** Element with cardinality 1..unbounded. */
export const oneOrMore = withCardinality(1, 'unbounded');

/** Marks an element as a reference to a global element declared in its namespace. */
export function ref<const E extends ElementDecl>(element: E) {
  return { ...element, ref: true } as const;
}

/** A complex type whose sequence ends in `xs:any ##other` (every RIV-TA type but one). */
export function sequence<const N extends string, const E extends readonly ElementDecl[]>(
  ns: string,
  name: N,
  elements: E,
  extensible = true,
) {
  return { kind: 'complex', name, ns, elements, extensible } as const satisfies ComplexType;
}

/** The facets a simple type of ours may carry (see {@link SimpleType}). */
type Facets = Pick<SimpleType, 'pattern' | 'enumeration' | 'check'>;

/** A simple type restricted from xs:string, as every simple type of the RIV-TA schemas is. */
export function stringType(
  ns: string,
  name: string,
  facets: Facets = {},
): SimpleType & { readonly base: 'string' } {
  return { kind: 'simple', name, ns, base: 'string', ...facets };
}

/** The TS type (yyyyMMddHHmmss) each domain's core schema declares; checked as a real local time. */
export const tsType = (ns: string) => stringType(ns, 'TS', { pattern: TS_PATTERN, check: checkTs });

/** The ResultCodeEnum each domain's core schema declares. */
export const resultCodeEnum = (ns: string) =>
  stringType(ns, 'ResultCodeEnum', { enumeration: ['OK', 'ERROR', 'INFO'] });

const logicalAddressType = stringType(NS.registry, 'LogicalAddressType');

/** `{urn:riv:itintegration:registry:1}LogicalAddress`, the routing header of RIV-TA BP 2.1. */
export const logicalAddressHeader = {
  part: 'LogicalAddress',
  element: 'LogicalAddress',
  ns: NS.registry,
  type: logicalAddressType,
} as const;

export const actorTypeEnum = stringType(NS.headers, 'ActorTypeEnum', {
  enumeration: ['subject_of_care', 'subject_of_care_agent'],
});

/** `{urn:riv:interoperability:headers:1}ActorType`, the optional scheduling Actor header. */
export const actorIdType = stringType(NS.headers, 'ActorIdType');

export const ActorType = sequence(NS.headers, 'ActorType', [
  one(NS.headers, 'actorId', actorIdType),
  one(NS.headers, 'actorType', actorTypeEnum),
]);

export const actorHeader = {
  part: 'actor',
  element: 'Actor',
  ns: NS.headers,
  type: ActorType,
} as const;

/**
 * One RIV-TA interaction of `domain`, with the names the RIV-TA naming rules
 * derive from the domain, the interaction's name and the contract version:
 * responder namespace, WSDL namespace, SOAPAction, endpoint path and the
 * national distribution's file names. `messages` are the elements of the
 * request and response types, built in {@link responderNs}.
 */
export function rivInteraction<
  const N extends string,
  const Req extends readonly ElementDecl[],
  const Res extends readonly ElementDecl[],
>(
  domain: string,
  name: N,
  messages: { readonly request: Req; readonly response: Res },
  options: {
    /** Contract version in the file names, e.g. `1.1`. */
    readonly version: string;
    /** The responder schema's version attribute when it differs from `version`. */
    readonly schemaVersion?: string;
    readonly headers: readonly HeaderPart[];
    /** Whether the responder has a `_ext.xsd` (the 1.1 additions of crm:scheduling). */
    readonly ext?: boolean;
    readonly description: string;
  },
) {
  const ns = responderNs(domain, name);
  const { version } = options;
  return {
    name,
    domain,
    responderNs: ns,
    wsdlNs: `urn:riv:${domain}:${name}:1:rivtabp21`,
    soapAction: `${ns}:${name}`,
    request: sequence(ns, `${name}Type`, messages.request),
    response: sequence(ns, `${name}ResponseType`, messages.response),
    headers: options.headers,
    path: `/${domain.replaceAll(':', '/')}/${name}/1/rivtabp21`,
    files: {
      folder: `${name}Interaction`,
      responderXsd: `${name}Responder_${version}.xsd`,
      ...(options.ext ? { extXsd: `${name}Responder_${version}_ext.xsd` } : {}),
      wsdl: `${name}Interaction_${version}_RIVTABP21.wsdl`,
    },
    schemaVersion: options.schemaVersion ?? version,
    description: options.description,
  } as const satisfies Interaction;
}

/** `core_components/itintegration_registry_1.0.xsd`: the LogicalAddress header element. */
export const registrySchema = {
  file: 'itintegration_registry_1.0.xsd',
  ns: NS.registry,
  version: '1.0',
  description: 'The logical address type of RIV-TA Basic Profile 2.1 (itintegration:registry).',
  types: [logicalAddressType],
  elements: [{ name: logicalAddressHeader.element, type: logicalAddressType }],
} as const satisfies CoreSchema;

/** `core_components/interoperability_headers_1.0.xsd`: the scheduling Actor header element. */
export const headersSchema = {
  file: 'interoperability_headers_1.0.xsd',
  ns: NS.headers,
  version: '1.0',
  description: 'The Actor header of crm:scheduling (interoperability:headers).',
  types: [ActorType, actorIdType, actorTypeEnum],
  elements: [{ name: actorHeader.element, type: ActorType }],
} as const satisfies CoreSchema;
