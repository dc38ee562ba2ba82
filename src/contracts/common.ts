/**
 * Building blocks shared by every contract description: built-in types, the
 * RIV-TA header elements, and small constructors that keep descriptions terse
 * while staying a literal mirror of the XSDs.
 */
import type { BuiltinType, ComplexType, CoreSchema, ElementDecl, TypeDef } from './model.ts';
import { NS } from './namespaces.ts';

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

// Explicit return types: `{ type } as const satisfies ElementDecl` widened `type` to TypeDef,
// which erased the typed Decoded/Encodable shapes of nested and boolean elements.

/** Element with cardinality 1..1. */
export function one<const N extends string, const T extends TypeDef>(
  ns: string,
  name: N,
  type: T,
): Element<N, T, 1, 1> {
  return { name, ns, type, minOccurs: 1, maxOccurs: 1 };
}

/** Element with cardinality 0..1. */
export function opt<const N extends string, const T extends TypeDef>(
  ns: string,
  name: N,
  type: T,
): Element<N, T, 0, 1> {
  return { name, ns, type, minOccurs: 0, maxOccurs: 1 };
}

/** Element with cardinality 0..unbounded. */
export function many<const N extends string, const T extends TypeDef>(
  ns: string,
  name: N,
  type: T,
): Element<N, T, 0, 'unbounded'> {
  return { name, ns, type, minOccurs: 0, maxOccurs: 'unbounded' };
}

/** Element with cardinality 1..unbounded. */
export function oneOrMore<const N extends string, const T extends TypeDef>(
  ns: string,
  name: N,
  type: T,
): Element<N, T, 1, 'unbounded'> {
  return { name, ns, type, minOccurs: 1, maxOccurs: 'unbounded' };
}

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

const logicalAddressType = {
  kind: 'simple',
  name: 'LogicalAddressType',
  ns: NS.registry,
  base: 'string',
} as const;

/** `{urn:riv:itintegration:registry:1}LogicalAddress`, the routing header of RIV-TA BP 2.1. */
export const logicalAddressHeader = {
  part: 'LogicalAddress',
  element: 'LogicalAddress',
  ns: NS.registry,
  type: logicalAddressType,
} as const;

export const actorTypeEnum = {
  kind: 'simple',
  name: 'ActorTypeEnum',
  ns: NS.headers,
  base: 'string',
  enumeration: ['subject_of_care', 'subject_of_care_agent'],
} as const;

/** `{urn:riv:interoperability:headers:1}ActorType`, the optional scheduling Actor header. */
export const actorIdType = {
  kind: 'simple',
  name: 'ActorIdType',
  ns: NS.headers,
  base: 'string',
} as const;

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
