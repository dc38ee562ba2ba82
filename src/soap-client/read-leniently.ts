/**
 * Reads an answer element the way a forgiving consumer would: elements are
 * matched by local name in any namespace, missing ones are simply absent and
 * values are not checked. A conformance run needs this to go on with the
 * flow (which slot to book, which id to cancel) after an answer has already
 * failed the strict reading, so that one defect is reported by the checks
 * about it and not by every check that follows.
 */
import type { ComplexType, Decoded } from '../contracts/model.ts';
import type { XmlElement } from '../xml/parse.ts';

/** A decoded shape whose every field may be missing, at any depth. */
export type Lenient<T> = {
  [K in keyof T]?: T[K] extends readonly (infer U)[]
    ? Lenient<U>[]
    : T[K] extends object
      ? Lenient<T[K]>
      : T[K];
};

function readValue(type: ComplexType['elements'][number]['type'], element: XmlElement): unknown {
  if (type.kind === 'complex') return readLeniently(type, element);
  const isBoolean = type.kind === 'builtin' ? type.name === 'boolean' : type.base === 'boolean';
  if (!isBoolean) return element.text;
  const text = element.text.trim();
  return text === 'true' || text === '1';
}

/** The content of `element` read as `type`, by local names only. */
export function readLeniently<T extends ComplexType>(
  type: T,
  element: XmlElement,
): Lenient<Decoded<T>> {
  const out: Record<string, unknown> = {};
  for (const decl of type.elements) if (decl.maxOccurs === 'unbounded') out[decl.name] = [];
  for (const child of element.children) {
    const decl = type.elements.find((d) => d.name === child.local);
    if (!decl) continue;
    const value = readValue(decl.type, child);
    if (decl.maxOccurs === 'unbounded') (out[decl.name] as unknown[]).push(value);
    else out[decl.name] ??= value;
  }
  return out as Lenient<Decoded<T>>;
}
