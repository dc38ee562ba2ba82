/**
 * The vocabulary in which every service contract is described once.
 *
 * One description per interaction (see `scheduling.ts`, `monitoring.ts`,
 * `engagement-index.ts`) drives the request decoder (`xml/decode.ts`), the
 * response encoder (`xml/encode.ts`) and the WSDL/XSD files we serve and
 * commit (`contracts/generate-files.ts`). The shapes mirror XML Schema closely
 * on purpose: a reviewer can hold a description next to the national XSD and
 * compare them line by line, and a test does exactly that.
 *
 * @module
 */

/** A built-in XML Schema simple type. */
export interface BuiltinType {
  readonly kind: 'builtin';
  readonly name: 'string' | 'boolean' | 'anyURI';
}

/**
 * A named simple type, restricted from a built-in one.
 *
 * `pattern` and `enumeration` are the facets as we publish them in our own
 * XSD. `check`, when present, is what the decoder enforces instead of the
 * facet (for example a real calendar date behind the TS pattern, or the
 * personnummer rule the national XSD gets wrong). It returns a message a
 * consumer can act on, never echoing the value itself (it may be personal).
 */
export interface SimpleType {
  readonly kind: 'simple';
  readonly name: string;
  readonly ns: string;
  readonly base: BuiltinType['name'];
  readonly pattern?: string;
  readonly enumeration?: readonly string[];
  readonly check?: (value: string) => string | undefined;
}

/** A named complex type: one `xs:sequence`, optionally closed by `xs:any ##other`. */
export interface ComplexType {
  readonly kind: 'complex';
  readonly name: string;
  readonly ns: string;
  readonly elements: readonly ElementDecl[];
  /** True when the sequence ends with `xs:any namespace="##other" processContents="lax"`. */
  readonly extensible: boolean;
}

export type TypeDef = BuiltinType | SimpleType | ComplexType;

/**
 * An element inside a sequence. `ns` is the element's own namespace: the
 * target namespace of the schema that declares the type (all schemas here
 * are `elementFormDefault="qualified"`), or, for `ref`, the namespace of the
 * referenced global element.
 */
export interface ElementDecl {
  readonly name: string;
  readonly ns: string;
  readonly type: TypeDef;
  readonly minOccurs: 0 | 1;
  readonly maxOccurs: 1 | 'unbounded';
  /** Declared as a global element in `ns` and used by `xs:element ref`. */
  readonly ref?: boolean;
}

/** A SOAP header part of an interaction's request message. */
export interface HeaderPart {
  /** WSDL part name (`LogicalAddress`, `actor`). */
  readonly part: string;
  readonly element: string;
  readonly ns: string;
  readonly type: TypeDef;
}

/** One RIV-TA service interaction (one WSDL, one endpoint). */
export interface Interaction {
  /** Operation name, also the request root element's local name. */
  readonly name: string;
  /** Service domain, e.g. `crm:scheduling`. */
  readonly domain: string;
  /** Namespace of the request and response root elements. */
  readonly responderNs: string;
  /** WSDL target namespace, `urn:riv:<domain>:<Name>:1:rivtabp21`. */
  readonly wsdlNs: string;
  readonly soapAction: string;
  readonly request: ComplexType;
  readonly response: ComplexType;
  /** SOAP header parts, in the order the national WSDL's request message lists them. */
  readonly headers: readonly HeaderPart[];
  /** The path the producer serves it at. */
  readonly path: string;
  /** Folder and file names as the national distribution has them. */
  readonly files: {
    readonly folder: string;
    readonly responderXsd: string;
    readonly extXsd?: string;
    readonly wsdl: string;
  };
  /** Version attribute of the responder schema. */
  readonly schemaVersion: string;
  /** One sentence for the WSDL documentation and the start-up listing. */
  readonly description: string;
}

/** A global element declared by a core schema (a SOAP header, or the target of a `ref`). */
export interface GlobalElement {
  readonly name: string;
  readonly type: TypeDef;
}

/**
 * One schema file of a contract's `core_components` folder. The national
 * file name and `version` attribute cannot be derived from the interactions,
 * so they are stated here.
 */
export interface CoreSchema {
  /** File name inside `core_components`, as the national distribution has it. */
  readonly file: string;
  /** Target namespace. */
  readonly ns: string;
  /** Version attribute of the schema. */
  readonly version: string;
  /** One sentence for the schema documentation. */
  readonly description: string;
  /** Named types, in the order the national file declares them. */
  readonly types: readonly (ComplexType | SimpleType)[];
  /** Global elements, in the order the national file declares them. */
  readonly elements: readonly GlobalElement[];
}

/** One national service-contract package (TD): its core schemas and its interactions. */
export interface ContractBundle {
  /** Folder under `schemas/` and `wsdl/`, e.g. `crm_scheduling_1.1`. */
  readonly folder: string;
  readonly coreSchemas: readonly CoreSchema[];
  readonly interactions: readonly Interaction[];
}

// ---------------------------------------------------------------------------
// Types derived from a description, so that handlers get typed requests and
// responses from the same object that drives the wire format.

/** What a simple or built-in type's text stands for: xs:boolean (or restricted from it), or text. */
type ScalarOf<T extends TypeDef> = T extends
  { readonly base: 'boolean' } | { readonly name: 'boolean'; readonly kind: 'builtin' }
  ? boolean
  : string;

type ValueOf<T extends TypeDef> = T extends ComplexType ? Decoded<T> : ScalarOf<T>;

type Required<E extends ElementDecl> = E extends { readonly maxOccurs: 'unbounded' }
  ? E
  : E extends { readonly minOccurs: 1 }
    ? E
    : never;

type FieldValue<E extends ElementDecl> = E extends { readonly maxOccurs: 'unbounded' }
  ? ValueOf<E['type']>[]
  : ValueOf<E['type']>;

/** The plain object a complex type decodes to: one key per element local name. */
export type Decoded<T extends ComplexType> = {
  -readonly [
    E in T['elements'][number] as E extends Required<E> ? E['name'] : never
  ]: FieldValue<E>;
} & {
  -readonly [
    E in T['elements'][number] as E extends Required<E> ? never : E['name']
  ]?: FieldValue<E>;
};

/**
 * The object an encoder accepts: like {@link Decoded}, but repeated elements
 * may be any iterable and optional ones may be `undefined` or `null`.
 */
export type Encodable<T extends ComplexType> = {
  -readonly [E in T['elements'][number] as E extends Required<E> ? E['name'] : never]: EncValue<E>;
} & {
  -readonly [
    E in T['elements'][number] as E extends Required<E> ? never : E['name']
  ]?: EncValue<E> | null;
};

type EncLeaf<T extends TypeDef> = T extends ComplexType ? Encodable<T> : ScalarOf<T>;

type EncValue<E extends ElementDecl> = E extends { readonly maxOccurs: 'unbounded' }
  ? Iterable<EncLeaf<E['type']>>
  : EncLeaf<E['type']>;

export type RequestOf<I extends Interaction> = Decoded<I['request']>;
export type ResponseOf<I extends Interaction> = Encodable<I['response']>;
