/**
 * A normalized model of XSD files and of our contract descriptions, so the
 * two can be compared type by type: for each complex type the ordered
 * elements (name, namespace, type QName with prefixes resolved, occurs,
 * ref) and whether it ends in `xs:any ##other lax`; for each simple type its
 * base, patterns and enumeration; global elements with their types.
 * QNames are written `{namespace}local`.
 */
import { XmlDocument, XmlElement } from 'libxml2-wasm';
import type {
  ComplexType,
  ContractBundle,
  ElementDecl,
  TypeDef,
} from '../../src/contracts/model.ts';
import { NS } from '../../src/contracts/namespaces.ts';

export interface ModelElement {
  readonly name: string;
  readonly ns: string;
  readonly type: string;
  readonly minOccurs: number;
  readonly maxOccurs: number | 'unbounded';
  readonly ref: boolean;
}

export type ModelType =
  | { readonly kind: 'complex'; readonly elements: readonly ModelElement[]; readonly any: boolean }
  | {
      readonly kind: 'simple';
      readonly base: string;
      readonly patterns: readonly string[];
      readonly enumeration: readonly string[];
    };

/** Types and global elements (element → type QName), keyed by `{ns}name`. */
export interface SchemaModel {
  readonly types: Map<string, ModelType>;
  readonly elements: Map<string, string>;
}

export function emptyModel(): SchemaModel {
  return { types: new Map(), elements: new Map() };
}

const q = (ns: string, local: string) => `{${ns}}${local}`;

function children(element: XmlElement, local?: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (let n = element.firstChild; n; n = n.next)
    if (n instanceof XmlElement && n.namespaceUri === NS.xs && (!local || n.name === local))
      out.push(n);
  return out;
}

function attr(element: XmlElement, name: string): string | undefined {
  return element.attr(name)?.value;
}

function resolve(element: XmlElement, qname: string, where: string): string {
  const colon = qname.indexOf(':');
  const prefix = colon < 0 ? '' : qname.slice(0, colon);
  const ns = element.namespaces[prefix];
  if (ns === undefined) throw new Error(`${where}: prefix "${prefix}" of ${qname} is unbound`);
  return q(ns, qname.slice(colon + 1));
}

function occurs(value: string | undefined): number | 'unbounded' {
  return value === undefined ? 1 : value === 'unbounded' ? 'unbounded' : Number(value);
}

/**
 * Reads one XSD into `into`. Global elements referenced by `ref` get their
 * type filled in by {@link resolveRefs} once every schema is read.
 */
export function readXsd(text: string, file: string, into: SchemaModel = emptyModel()): SchemaModel {
  const doc = XmlDocument.fromString(text.replace(/^\uFEFF/, ''));
  try {
    const root = doc.root;
    const tns = attr(root, 'targetNamespace') ?? '';
    if (attr(root, 'elementFormDefault') !== 'qualified')
      throw new Error(`${file}: elementFormDefault is not qualified`);
    for (const el of children(root, 'element'))
      into.elements.set(q(tns, attr(el, 'name')!), resolve(el, attr(el, 'type')!, file));
    for (const ct of children(root, 'complexType')) {
      const name = q(tns, attr(ct, 'name')!);
      const sequence = children(ct, 'sequence');
      if (sequence.length !== 1) throw new Error(`${file}: ${name} is not one xs:sequence`);
      const elements: ModelElement[] = [];
      let any = false;
      for (const particle of children(sequence[0]!)) {
        if (particle.name === 'annotation') continue;
        if (any) throw new Error(`${file}: ${name} has particles after xs:any`);
        if (particle.name === 'any') {
          const shape = [
            attr(particle, 'namespace'),
            attr(particle, 'processContents'),
            attr(particle, 'minOccurs'),
            attr(particle, 'maxOccurs'),
          ].join(' ');
          if (shape !== '##other lax 0 unbounded')
            throw new Error(`${file}: ${name} has an unusual xs:any (${shape})`);
          any = true;
          continue;
        }
        if (particle.name !== 'element')
          throw new Error(`${file}: ${name} has an xs:${particle.name} particle`);
        const ref = attr(particle, 'ref');
        const refName = ref === undefined ? undefined : resolve(particle, ref, file);
        const [, refNs, refLocal] = refName ? /^\{(.*)\}(.*)$/.exec(refName)! : [];
        elements.push({
          name: refLocal ?? attr(particle, 'name')!,
          ns: refNs ?? tns,
          // Filled in by resolveRefs for refs.
          type: refName ? `ref ${refName}` : resolve(particle, attr(particle, 'type')!, file),
          minOccurs: occurs(attr(particle, 'minOccurs')) as number,
          maxOccurs: occurs(attr(particle, 'maxOccurs')),
          ref: refName !== undefined,
        });
      }
      into.types.set(name, { kind: 'complex', elements, any });
    }
    for (const st of children(root, 'simpleType')) {
      const name = q(tns, attr(st, 'name')!);
      const restriction = children(st, 'restriction')[0];
      if (!restriction) throw new Error(`${file}: ${name} is not a restriction`);
      into.types.set(name, {
        kind: 'simple',
        base: resolve(restriction, attr(restriction, 'base')!, file),
        patterns: children(restriction, 'pattern').map((p) => attr(p, 'value')!),
        enumeration: children(restriction, 'enumeration').map((p) => attr(p, 'value')!),
      });
    }
    return into;
  } finally {
    doc.dispose();
  }
}

/** Replaces the placeholder type of every `ref` element by its global element's type. */
export function resolveRefs(model: SchemaModel): SchemaModel {
  for (const [name, type] of model.types) {
    if (type.kind !== 'complex') continue;
    model.types.set(name, {
      ...type,
      elements: type.elements.map((e) => {
        if (!e.ref) return e;
        const target = model.elements.get(q(e.ns, e.name));
        if (!target) throw new Error(`${name}: ref to undeclared element {${e.ns}}${e.name}`);
        return { ...e, type: target };
      }),
    });
  }
  return model;
}

function typeQName(type: TypeDef): string {
  return type.kind === 'builtin' ? q(NS.xs, type.name) : q(type.ns, type.name);
}

function describeType(type: TypeDef, into: SchemaModel): void {
  if (type.kind === 'builtin') return;
  const name = typeQName(type);
  if (into.types.has(name)) return;
  if (type.kind === 'simple') {
    into.types.set(name, {
      kind: 'simple',
      base: q(NS.xs, type.base),
      patterns: type.pattern === undefined ? [] : [type.pattern],
      enumeration: type.enumeration ?? [],
    });
    return;
  }
  into.types.set(name, {
    kind: 'complex',
    elements: type.elements.map((d: ElementDecl) => ({
      name: d.name,
      ns: d.ns,
      type: typeQName(d.type),
      minOccurs: d.minOccurs,
      maxOccurs: d.maxOccurs,
      ref: d.ref === true,
    })),
    any: type.extensible,
  });
  for (const d of type.elements) {
    if (d.ref) into.elements.set(q(d.ns, d.name), typeQName(d.type));
    describeType(d.type, into);
  }
}

/** The model of a bundle straight from its descriptions (no generated file involved). */
export function describedModel(bundle: ContractBundle): SchemaModel {
  const model = emptyModel();
  for (const core of bundle.coreSchemas) {
    for (const t of core.types) describeType(t, model);
    for (const e of core.elements) {
      model.elements.set(q(core.ns, e.name), typeQName(e.type));
      describeType(e.type, model);
    }
  }
  for (const i of bundle.interactions) {
    const roots: [string, ComplexType][] = [
      [i.name, i.request],
      [`${i.name}Response`, i.response],
    ];
    for (const [name, type] of roots) {
      model.elements.set(q(i.responderNs, name), typeQName(type));
      describeType(type, model);
    }
    for (const h of i.headers) {
      model.elements.set(q(h.ns, h.element), typeQName(h.type));
      describeType(h.type, model);
    }
  }
  return model;
}

function show(value: unknown): string {
  return JSON.stringify(value);
}

/**
 * Differences between two models, one line each, naming the type or element.
 * `ignore` lists `{ns}name` keys (types or elements) known to differ or to be absent on one side.
 */
export function compareModels(
  national: SchemaModel,
  ours: SchemaModel,
  ignore: ReadonlySet<string> = new Set(),
): string[] {
  const out: string[] = [];
  const names = (a: Map<string, unknown>, b: Map<string, unknown>) =>
    [...new Set([...a.keys(), ...b.keys()])].filter((n) => !ignore.has(n)).sort();
  for (const name of names(national.types, ours.types)) {
    const n = national.types.get(name);
    const o = ours.types.get(name);
    if (!n) {
      out.push(`type ${name}: ours declares it, the national schemas do not`);
      continue;
    }
    if (!o) {
      out.push(`type ${name}: missing from our description`);
      continue;
    }
    if (n.kind !== o.kind) {
      out.push(`type ${name}: national is ${n.kind}, ours ${o.kind}`);
      continue;
    }
    if (n.kind === 'simple' && o.kind === 'simple') {
      for (const key of ['base', 'patterns', 'enumeration'] as const)
        if (show(n[key]) !== show(o[key]))
          out.push(`type ${name}: ${key} national ${show(n[key])}, ours ${show(o[key])}`);
      continue;
    }
    if (n.kind !== 'complex' || o.kind !== 'complex') continue;
    if (n.any !== o.any)
      out.push(`type ${name}: trailing xs:any ##other national ${n.any}, ours ${o.any}`);
    const count = Math.max(n.elements.length, o.elements.length);
    for (let i = 0; i < count; i += 1) {
      const ne = n.elements[i];
      const oe = o.elements[i];
      const label = `type ${name}, element #${i + 1} (${ne?.name ?? oe?.name})`;
      if (!ne || !oe) {
        out.push(
          `${label}: national has ${ne ? show(ne.name) : 'nothing'}, ours ${oe ? show(oe.name) : 'nothing'}`,
        );
        continue;
      }
      for (const key of ['name', 'ns', 'type', 'minOccurs', 'maxOccurs', 'ref'] as const)
        if (ne[key] !== oe[key])
          out.push(`${label}: ${key} national ${show(ne[key])}, ours ${show(oe[key])}`);
    }
  }
  for (const name of names(national.elements, ours.elements)) {
    const n = national.elements.get(name);
    const o = ours.elements.get(name);
    if (n !== o)
      out.push(`global element ${name}: type national ${n ?? 'absent'}, ours ${o ?? 'absent'}`);
  }
  return out;
}
