/**
 * What node-soap needs to serve our contracts: a variant of our generated
 * WSDLs that it can dispatch (request `parameters` first), and conversions
 * between its argument objects and our decoded requests and answers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ComplexType } from '../../src/contracts/model.ts';
import { generateContractFiles } from '../../src/contracts/generate-files.ts';

/** Moves `parameters` to the front of every request message (node-soap reads the first part as the body). */
export function parametersFirst(wsdl: string): string {
  return wsdl.replace(
    /(<wsdl:message name="\w+Request">)([\s\S]*?)(<\/wsdl:message>)/g,
    (_all, open: string, parts: string, close: string) => {
      const lines = parts.split('\n').filter((l) => l.trim() !== '');
      const body = lines.filter((l) => l.includes('name="parameters"'));
      const headers = lines.filter((l) => !l.includes('name="parameters"'));
      return `${open}\n${[...body, ...headers].join('\n')}\n  ${close}`;
    },
  );
}

/** node-soap's argument object as our decoder would have produced it from the same XML. */
export function fromSoapArgs(
  type: ComplexType,
  args: Record<string, unknown> | undefined,
): unknown {
  const out: Record<string, unknown> = {};
  for (const element of type.elements) {
    const raw = args?.[element.name];
    const convert = (value: unknown): unknown => {
      if (element.type.kind === 'complex')
        return fromSoapArgs(element.type, value as Record<string, unknown>);
      if (element.type.kind === 'builtin' && element.type.name === 'boolean')
        return value === true || value === 'true' || value === '1';
      return typeof value === 'object' && value !== null && '$value' in value
        ? String((value as { $value: unknown }).$value)
        : value === undefined || value === null
          ? undefined
          : String(value);
    };
    if (element.maxOccurs === 'unbounded')
      out[element.name] = raw === undefined ? [] : (Array.isArray(raw) ? raw : [raw]).map(convert);
    else if (raw !== undefined) out[element.name] = convert(raw);
  }
  return out;
}

/** Drops undefined fields, which node-soap would otherwise write as empty elements. */
export function defined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(defined);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = defined(v);
  return out;
}

/** Writes our generated schemas and the variant WSDLs under `dir`; returns each WSDL's path and text by operation name. */
export function writeVariantContractFiles(dir: string): Map<string, { path: string; xml: string }> {
  const wsdls = new Map<string, { path: string; xml: string }>();
  for (const file of generateContractFiles()) {
    const target = join(dir, file.path);
    mkdirSync(dirname(target), { recursive: true });
    const content = file.path.endsWith('.wsdl') ? parametersFirst(file.content) : file.content;
    writeFileSync(target, content);
    const name = /\/(\w+)Interaction\/[^/]+\.wsdl$/.exec(file.path)?.[1];
    if (name) wsdls.set(name, { path: target, xml: content });
  }
  return wsdls;
}
