/**
 * Turns an element into the plain object its contract type describes, with
 * the checks a strict but forward-compatible producer makes:
 * - elements are matched by namespace URI and local name, never by prefix;
 * - declared elements must come in sequence order and within cardinality;
 * - unknown elements in another namespace are skipped where the type ends in
 *   `xs:any ##other` (RIV-TA forward compatibility); anything else is refused;
 * - simple values pass their type's check (real dates, person id) or facet.
 */
import type { ComplexType, Decoded, ElementDecl, TypeDef } from '../contracts/model.ts';
import { excerpt, type XmlElement } from './parse.ts';

/** The request does not match its contract; `path` names the element, the message is safe to show. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

const patternCache = new WeakMap<object, RegExp>();

function simpleValue(type: TypeDef, element: XmlElement, path: string): string | boolean {
  if (element.children.length > 0)
    throw new DecodeError(path, 'must hold text, not child elements');
  const raw = element.text;
  if (type.kind === 'complex') throw new Error('unreachable');
  if (type.kind === 'builtin' ? type.name === 'boolean' : type.base === 'boolean') {
    const value = raw.trim();
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    throw new DecodeError(path, 'must be true or false');
  }
  if (type.kind === 'builtin') return type.name === 'anyURI' ? raw.trim() : raw;
  if (type.check) {
    const problem = type.check(raw);
    if (problem) throw new DecodeError(path, problem);
  } else if (type.pattern) {
    let re = patternCache.get(type);
    if (!re) {
      re = new RegExp(`^(?:${type.pattern})$`);
      patternCache.set(type, re);
    }
    if (!re.test(raw)) throw new DecodeError(path, `does not match the ${type.name} format`);
  }
  if (type.enumeration && !type.enumeration.includes(raw))
    throw new DecodeError(path, `must be one of ${type.enumeration.join(', ')}`);
  return raw;
}

function decodeValue(decl: ElementDecl, element: XmlElement, path: string): unknown {
  return decl.type.kind === 'complex'
    ? decodeComplex(decl.type, element, path)
    : simpleValue(decl.type, element, path);
}

/** Decodes the content of `element` as `type`. `path` prefixes error messages. */
export function decodeComplex<T extends ComplexType>(
  type: T,
  element: XmlElement,
  path: string = element.local,
): Decoded<T> {
  const out: Record<string, unknown> = {};
  const seen = new Array<number>(type.elements.length).fill(0);
  let position = 0;

  for (const child of element.children) {
    let index = -1;
    for (let i = 0; i < type.elements.length; i++) {
      const decl = type.elements[i]!;
      if (decl.name === child.local && decl.ns === child.ns) {
        index = i;
        break;
      }
    }
    const childPath = `${path}/${child.local}`;
    if (index < 0) {
      if (type.extensible && child.ns !== '' && child.ns !== type.ns) continue;
      const hint = type.elements.find((d) => d.name === child.local);
      throw new DecodeError(
        childPath,
        hint
          ? `is in namespace '${excerpt(child.ns)}' but this contract expects it in '${hint.ns}'`
          : 'is not an element this contract defines here',
      );
    }
    if (index < position)
      throw new DecodeError(childPath, 'is out of order (the contract fixes the element order)');
    const decl = type.elements[index]!;
    position = index;
    seen[index]! += 1;
    const value = decodeValue(decl, child, childPath);
    if (decl.maxOccurs === 'unbounded') {
      ((out[decl.name] ??= []) as unknown[]).push(value);
    } else {
      if (seen[index]! > 1) throw new DecodeError(childPath, 'may occur only once');
      out[decl.name] = value;
    }
  }

  type.elements.forEach((decl, i) => {
    if (decl.minOccurs === 1 && seen[i] === 0)
      throw new DecodeError(`${path}/${decl.name}`, 'is mandatory but missing');
    if (decl.maxOccurs === 'unbounded' && !out[decl.name]) out[decl.name] = [];
  });
  return out as Decoded<T>;
}
