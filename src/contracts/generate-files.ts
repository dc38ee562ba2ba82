/**
 * Writes our own WSDL and XSD files from the contract descriptions. They are
 * not copies of the national files but must be equivalent to them (same
 * namespaces, element names, types, cardinality, order, `ref` targets and
 * `xs:any ##other`), so that a consumer generated from the national WSDL
 * talks to us unchanged; `test/contracts/national-equivalence.test.ts` proves
 * it. The only deliberate difference: SubjectOfCareIdType's pattern without
 * the broken `^…$` anchors (rivta-spec §2.3 item 1).
 *
 * Layout, one folder per national package (TD):
 * `schemas/<bundle>/core_components/*.xsd`,
 * `schemas/<bundle>/interactions/<Op>Interaction/<Op>Responder_<v>[_ext].xsd` and
 * `wsdl/<bundle>/<Op>Interaction/<Op>Interaction_<v>_RIVTABP21.wsdl`.
 */
import { posix } from 'node:path';
import type {
  ComplexType,
  ContractBundle,
  CoreSchema,
  ElementDecl,
  Interaction,
  SimpleType,
  TypeDef,
} from './model.ts';
import { NS } from './namespaces.ts';
import { monitoringBundle } from './monitoring.ts';
import { schedulingBundle } from './scheduling.ts';
import { escapeAttribute, escapeText } from '../xml/escape.ts';

/** One generated file. */
export interface ContractFile {
  /** Path relative to the repository root, with `/` separators. */
  readonly path: string;
  readonly content: string;
}

/** The packages we publish, each under its own folder of `schemas/` and `wsdl/`. */
export const contractBundles: readonly ContractBundle[] = [schedulingBundle, monitoringBundle];

/** Placeholder endpoint of the committed WSDLs; served WSDLs carry the URL they were fetched from. */
export const placeholderHost = 'http://localhost:8080';

/** Path of a bundle's schema file, from its path relative to the bundle's `schemas` folder. */
export function schemaPath(bundle: ContractBundle, key: string): string {
  return `schemas/${bundle.folder}/${key}`;
}

/** Path of an interaction's WSDL. */
export function wsdlPath(bundle: ContractBundle, interaction: Interaction): string {
  return `wsdl/${bundle.folder}/${interaction.files.folder}/${interaction.files.wsdl}`;
}

/** The bundle an interaction is published in, or undefined when we do not publish it. */
export function bundleOf(interaction: Interaction): ContractBundle | undefined {
  return contractBundles.find((b) => b.interactions.some((i) => i.name === interaction.name));
}

/**
 * A schema file to write, core or responder: its key is its path relative to
 * the bundle's `schemas` folder (a core schema's `file` is one such path).
 */
interface SchemaSpec extends Omit<CoreSchema, 'file'> {
  readonly key: string;
}

type NamedType = ComplexType | SimpleType;

function isNamed(type: TypeDef): type is NamedType {
  return type.kind !== 'builtin';
}

/** Named types reachable from `roots` (roots included), depth first, in discovery order. */
function reachableTypes(roots: readonly TypeDef[]): NamedType[] {
  const seen = new Set<NamedType>();
  const visit = (type: TypeDef) => {
    if (!isNamed(type) || seen.has(type)) return;
    seen.add(type);
    if (type.kind === 'complex') for (const decl of type.elements) visit(decl.type);
  };
  roots.forEach(visit);
  return [...seen];
}

function typeKey(type: NamedType): string {
  return `{${type.ns}}${type.name}`;
}

function interactionSchemas(bundle: ContractBundle, interaction: Interaction): SchemaSpec[] {
  const folder = `interactions/${interaction.files.folder}`;
  const { request, response, responderNs } = interaction;
  const responder: SchemaSpec = {
    key: `${folder}/${interaction.files.responderXsd}`,
    ns: responderNs,
    version: interaction.schemaVersion,
    description: interaction.description,
    types: reachableTypes([request, response]).filter((t) => t.ns === responderNs),
    elements: [
      { name: interaction.name, type: request },
      { name: `${interaction.name}Response`, type: response },
    ],
  };
  // The 1.1 additions of a responder are global elements in its own ext namespace,
  // used by `ref` from the request (rivta-spec §2.3 item 3).
  const coreNamespaces = new Set(bundle.coreSchemas.map((s) => s.ns));
  const extRefs = [request, response]
    .flatMap((t) => t.elements)
    .filter((d) => d.ref && d.ns !== responderNs && !coreNamespaces.has(d.ns));
  const extNamespaces = [...new Set(extRefs.map((d) => d.ns))];
  if (extNamespaces.length === 0) {
    if (interaction.files.extXsd)
      throw new Error(`${interaction.name}: extXsd named but no ext element is referenced`);
    return [responder];
  }
  if (!interaction.files.extXsd || extNamespaces.length > 1)
    throw new Error(`${interaction.name}: ext elements need exactly one extXsd`);
  const ext: SchemaSpec = {
    key: `${folder}/${interaction.files.extXsd}`,
    ns: extNamespaces[0]!,
    version: interaction.schemaVersion,
    description: `Extension elements of ${interaction.name}Responder ${interaction.schemaVersion}.`,
    types: [],
    elements: extRefs.map((d) => ({ name: d.name, type: d.type })),
  };
  return [responder, ext];
}

function bundleSchemas(bundle: ContractBundle): SchemaSpec[] {
  const specs: SchemaSpec[] = bundle.coreSchemas.map((s) => ({
    key: `core_components/${s.file}`,
    ns: s.ns,
    version: s.version,
    description: s.description,
    types: s.types,
    elements: s.elements,
  }));
  for (const interaction of bundle.interactions)
    specs.push(...interactionSchemas(bundle, interaction));

  // Every named type used anywhere must be declared by the schema of its namespace.
  const declared = new Set(specs.flatMap((s) => s.types.filter((t) => t.ns === s.ns)));
  const declaredKeys = new Set([...declared].map(typeKey));
  const roots = specs.flatMap((s) => [...s.types, ...s.elements.map((e) => e.type)]);
  const headers = bundle.interactions.flatMap((i) => i.headers.map((h) => h.type));
  for (const type of reachableTypes([...roots, ...headers])) {
    if (!declared.has(type)) {
      const clash = declaredKeys.has(typeKey(type)) ? ' (a different object of that name)' : '';
      throw new Error(`${bundle.folder}: type ${typeKey(type)} is not declared${clash}`);
    }
  }
  const namespaces = new Set<string>();
  for (const s of specs) {
    if (namespaces.has(s.ns)) throw new Error(`${bundle.folder}: two schemas for ${s.ns}`);
    namespaces.add(s.ns);
  }
  return specs;
}

// ---------------------------------------------------------------------------
// Writing

function headerComment(): string {
  return [
    '<!--',
    ' Generated from src/contracts by `npm run generate:contracts`. Do not edit by hand:',
    ' change the contract description in src/contracts and regenerate.',
    '',
    ' The service contract this file describes is published by Inera AB and',
    ' Sveriges Kommuner och Landsting (SKL) under the Apache License, Version 2.0',
    ' (the "License"); you may not use this file except in compliance with the',
    ' License. You may obtain a copy of the License at',
    '',
    ' http://www.apache.org/licenses/LICENSE-2.0',
    '',
    ' Unless required by applicable law or agreed to in writing, software',
    ' distributed under the License is distributed on an "AS IS" BASIS, WITHOUT',
    ' WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the',
    ' License for the specific language governing permissions and limitations',
    ' under the License.',
    '-->',
  ].join('\n');
}

const prologue = `<?xml version="1.0" encoding="UTF-8"?>\n${headerComment()}\n`;

function attrs(pairs: readonly (readonly [string, string])[]): string {
  return pairs.map(([k, v]) => ` ${k}="${escapeAttribute(v)}"`).join('');
}

/** Prefixes as the national files use them, so a reader can compare side by side. */
const preferredPrefixes = new Map<string, string>([
  [NS.xs, 'xs'],
  [NS.wsdl, 'wsdl'],
  [NS.wsdlSoap, 'soap'],
  [NS.registry, 'itr'],
  [NS.headers, 'ih'],
  [NS.schedulingCore, 'core'],
  [NS.schedulingCore11, 'm1'],
  [NS.monitoringCore, 'core'],
  [NS.engagementIndexCore, 'core'],
]);

class PrefixTable {
  private readonly byNs = new Map<string, string>();
  constructor(fixed: readonly (readonly [string, string])[]) {
    for (const [ns, prefix] of fixed) this.byNs.set(ns, prefix);
  }
  prefix(ns: string): string {
    let prefix = this.byNs.get(ns);
    if (prefix === undefined) {
      const taken = new Set(this.byNs.values());
      const preferred = preferredPrefixes.get(ns);
      prefix = preferred && !taken.has(preferred) ? preferred : undefined;
      for (let i = 1; prefix === undefined; i += 1) if (!taken.has(`m${i}`)) prefix = `m${i}`;
      this.byNs.set(ns, prefix);
    }
    return prefix;
  }
  qname(ns: string, local: string): string {
    return `${this.prefix(ns)}:${local}`;
  }
  declarations(): [string, string][] {
    return [...this.byNs].map(([ns, prefix]) => [`xmlns:${prefix}`, ns]);
  }
}

function typeQName(type: TypeDef, prefixes: PrefixTable): string {
  return type.kind === 'builtin' ? `xs:${type.name}` : prefixes.qname(type.ns, type.name);
}

function occurs(decl: ElementDecl): [string, string][] {
  return [
    ['minOccurs', String(decl.minOccurs)],
    ['maxOccurs', String(decl.maxOccurs)],
  ];
}

function elementDecl(decl: ElementDecl, owner: string, prefixes: PrefixTable): string {
  if (decl.ref)
    return `<xs:element${attrs([['ref', prefixes.qname(decl.ns, decl.name)], ...occurs(decl)])}/>`;
  if (decl.ns !== owner)
    throw new Error(`element ${decl.name} in ${decl.ns} needs ref inside a type of ${owner}`);
  return `<xs:element${attrs([['name', decl.name], ['type', typeQName(decl.type, prefixes)], ...occurs(decl)])}/>`;
}

function typeDecl(type: NamedType, prefixes: PrefixTable): string[] {
  if (type.kind === 'complex') {
    return [
      `  <xs:complexType name="${escapeAttribute(type.name)}">`,
      '    <xs:sequence>',
      ...type.elements.map((d) => `      ${elementDecl(d, type.ns, prefixes)}`),
      ...(type.extensible
        ? [
            '      <xs:any namespace="##other" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>',
          ]
        : []),
      '    </xs:sequence>',
      '  </xs:complexType>',
    ];
  }
  const facets = [
    ...(type.pattern === undefined ? [] : [`<xs:pattern${attrs([['value', type.pattern]])}/>`]),
    ...(type.enumeration ?? []).map((v) => `<xs:enumeration${attrs([['value', v]])}/>`),
  ];
  return [
    `  <xs:simpleType name="${escapeAttribute(type.name)}">`,
    ...(facets.length === 0
      ? [`    <xs:restriction base="xs:${type.base}"/>`]
      : [
          `    <xs:restriction base="xs:${type.base}">`,
          ...facets.map((f) => `      ${f}`),
          '    </xs:restriction>',
        ]),
    '  </xs:simpleType>',
  ];
}

/** Namespaces a schema refers to, other than its own, in order of first use. */
function referencedNamespaces(spec: SchemaSpec): string[] {
  const out = new Set<string>();
  const use = (type: TypeDef) => {
    if (isNamed(type) && type.ns !== spec.ns) out.add(type.ns);
  };
  for (const e of spec.elements) use(e.type);
  for (const t of spec.types) {
    if (t.kind !== 'complex') continue;
    for (const d of t.elements) {
      if (d.ref) {
        if (d.ns !== spec.ns) out.add(d.ns);
      } else use(d.type);
    }
  }
  return [...out];
}

function relative(fromKey: string, toKey: string): string {
  return posix.relative(posix.dirname(fromKey), toKey);
}

function renderSchema(spec: SchemaSpec, keyOfNs: ReadonlyMap<string, string>): string {
  const prefixes = new PrefixTable([
    [NS.xs, 'xs'],
    [spec.ns, 'tns'],
  ]);
  const imports = referencedNamespaces(spec).map((ns) => {
    const key = keyOfNs.get(ns);
    if (key === undefined) throw new Error(`${spec.key}: no schema for namespace ${ns}`);
    prefixes.prefix(ns);
    return `  <xs:import${attrs([
      ['namespace', ns],
      ['schemaLocation', relative(spec.key, key)],
    ])}/>`;
  });
  const body = [
    ...spec.elements.map(
      (e) =>
        `  <xs:element${attrs([
          ['name', e.name],
          ['type', typeQName(e.type, prefixes)],
        ])}/>`,
    ),
    ...spec.types.flatMap((t) => typeDecl(t, prefixes)),
  ];
  return [
    `${prologue}<xs:schema${attrs([
      ...prefixes.declarations(),
      ['targetNamespace', spec.ns],
      ['elementFormDefault', 'qualified'],
      ['attributeFormDefault', 'unqualified'],
      ['version', spec.version],
    ])}>`,
    '  <xs:annotation>',
    `    <xs:documentation>${escapeText(spec.description)}</xs:documentation>`,
    '  </xs:annotation>',
    ...imports,
    ...body,
    '</xs:schema>',
    '',
  ].join('\n');
}

function renderWsdl(
  bundle: ContractBundle,
  interaction: Interaction,
  keyOfNs: ReadonlyMap<string, string>,
): string {
  const { name, headers } = interaction;
  const path = wsdlPath(bundle, interaction);
  const prefixes = new PrefixTable([
    [NS.wsdl, 'wsdl'],
    [NS.wsdlSoap, 'soap'],
    [NS.xs, 'xs'],
    [interaction.responderNs, 'tjsr'],
    [interaction.wsdlNs, 'tns'],
  ]);
  const importedNs = [interaction.responderNs, ...new Set(headers.map((h) => h.ns))];
  const imports = importedNs.map((ns) => {
    const key = keyOfNs.get(ns);
    if (key === undefined) throw new Error(`${path}: no schema for namespace ${ns}`);
    prefixes.prefix(ns);
    return `      <xs:import${attrs([
      ['schemaLocation', posix.relative(posix.dirname(path), schemaPath(bundle, key))],
      ['namespace', ns],
    ])}/>`;
  });
  const requestMessage = `${name}Request`;
  const responseMessage = `${name}Response`;
  const part = (partName: string, ns: string, element: string) =>
    `    <wsdl:part${attrs([
      ['name', partName],
      ['element', prefixes.qname(ns, element)],
    ])}/>`;
  const soapHeader = (partName: string) =>
    `        <soap:header${attrs([
      ['use', 'literal'],
      ['message', `tns:${requestMessage}`],
      ['part', partName],
    ])}/>`;
  return [
    `${prologue}<wsdl:definitions${attrs([['name', interaction.files.folder], ...prefixes.declarations(), ['targetNamespace', interaction.wsdlNs]])}>`,
    `  <wsdl:documentation>${escapeText(interaction.description)}</wsdl:documentation>`,
    '  <wsdl:types>',
    `    <xs:schema${attrs([['targetNamespace', interaction.wsdlNs]])}>`,
    ...imports,
    '    </xs:schema>',
    '  </wsdl:types>',
    `  <wsdl:message name="${requestMessage}">`,
    // Header parts first, as in the national WSDLs.
    ...headers.map((h) => part(h.part, h.ns, h.element)),
    part('parameters', interaction.responderNs, name),
    '  </wsdl:message>',
    `  <wsdl:message name="${responseMessage}">`,
    part('parameters', interaction.responderNs, `${name}Response`),
    '  </wsdl:message>',
    `  <wsdl:portType name="${name}ResponderInterface">`,
    `    <wsdl:operation name="${name}">`,
    `      <wsdl:input message="tns:${requestMessage}"/>`,
    `      <wsdl:output message="tns:${responseMessage}"/>`,
    '    </wsdl:operation>',
    '  </wsdl:portType>',
    `  <wsdl:binding name="${name}ResponderBinding" type="tns:${name}ResponderInterface">`,
    '    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>',
    `    <wsdl:operation name="${name}">`,
    `      <soap:operation${attrs([
      ['soapAction', interaction.soapAction],
      ['style', 'document'],
    ])}/>`,
    '      <wsdl:input>',
    ...headers.map((h) => soapHeader(h.part)),
    '        <soap:body use="literal" parts="parameters"/>',
    '      </wsdl:input>',
    '      <wsdl:output>',
    '        <soap:body use="literal"/>',
    '      </wsdl:output>',
    '    </wsdl:operation>',
    '  </wsdl:binding>',
    `  <wsdl:service name="${name}ResponderService">`,
    `    <wsdl:port name="${name}ResponderPort" binding="tns:${name}ResponderBinding">`,
    `      <soap:address${attrs([['location', `${placeholderHost}${interaction.path}`]])}/>`,
    '    </wsdl:port>',
    '  </wsdl:service>',
    '</wsdl:definitions>',
    '',
  ].join('\n');
}

function bundleFiles(bundle: ContractBundle): ContractFile[] {
  const specs = bundleSchemas(bundle);
  const keyOfNs = new Map(specs.map((s) => [s.ns, s.key]));
  return [
    ...specs.map((s) => ({ path: schemaPath(bundle, s.key), content: renderSchema(s, keyOfNs) })),
    ...bundle.interactions.map((i) => ({
      path: wsdlPath(bundle, i),
      content: renderWsdl(bundle, i, keyOfNs),
    })),
  ];
}

/** Every WSDL and XSD file we publish, sorted by path. Deterministic: same descriptions, same bytes. */
export function generateContractFiles(): ContractFile[] {
  return contractBundles
    .flatMap(bundleFiles)
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
