/**
 * XSD validation for tests: the national contract files (the oracle, at
 * `../shared/contracts`) and our own generated schemas, through libxml2.
 *
 * Schemas are served to libxml2 from memory under made-up URL schemes, so
 * relative `schemaLocation`s resolve exactly as on disk while the one
 * national defect can be patched in memory (contracts README, rivta-spec
 * §2.3 item 1). Validators are built lazily, once per namespace and process.
 */
import { AssertionError } from 'node:assert';
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  XmlDocument,
  XmlElement,
  XmlLibError,
  xmlRegisterInputProvider,
  XsdValidator,
} from 'libxml2-wasm';
import { generateContractFiles } from '../../src/contracts/generate-files.ts';
import { NS } from '../../src/contracts/namespaces.ts';
import { maskPersonIdsInText } from '../../src/domain/personnummer.ts';

const contractsPath = fileURLToPath(new URL('../../../shared/contracts', import.meta.url));

/** Absolute path of ../shared/contracts, or undefined when absent. */
export const nationalContractsDir: string | undefined = existsSync(contractsPath)
  ? contractsPath
  : undefined;

/** For node:test `{ skip }`: a reason string when the national files are missing, else false. */
export const skipWithoutNationalContracts: string | false = nationalContractsDir
  ? false
  : `the national contract files are not at ${contractsPath} (CI has them at ../shared/contracts)`;

/** The one national defect we patch when loading, and only when validating. */
export const subjectOfCarePatch = {
  file: 'TD_SCHEDULING_1_1_0_R/core_components/crm_scheduling_1.1.xsd',
  from: '^[0-9]{8}[0-9pPtTfF][0-9]{3}$',
  to: '[0-9]{8}[0-9pPtTfF][0-9]{3}',
} as const;

/** The text of a national schema as we validate with it: the file, with the pattern patch applied. */
export function patchNationalSchema(file: string, text: string): string {
  if (file !== subjectOfCarePatch.file) return text;
  const from = `value="${subjectOfCarePatch.from}"`;
  const parts = text.split(from);
  if (parts.length !== 2)
    throw new Error(`${file}: expected the broken pattern exactly once, found ${parts.length - 1}`);
  return parts.join(`value="${subjectOfCarePatch.to}"`);
}

// ---------------------------------------------------------------------------
// In-memory files for libxml2

const memoryFiles = new Map<string, Uint8Array>();
const openFiles = new Map<number, { data: Uint8Array; offset: number }>();
let nextFd = 1;
let providerRegistered = false;

function registerMemoryFiles(files: ReadonlyMap<string, Uint8Array>): void {
  for (const [url, data] of files) memoryFiles.set(url, data);
  if (providerRegistered) return;
  providerRegistered = true;
  xmlRegisterInputProvider({
    match: (url) => memoryFiles.has(url),
    open: (url) => {
      const data = memoryFiles.get(url);
      if (!data) return undefined;
      const fd = nextFd++;
      openFiles.set(fd, { data, offset: 0 });
      return fd;
    },
    read: (fd, buf) => {
      const file = openFiles.get(fd as number);
      if (!file) return -1;
      const n = Math.min(buf.byteLength, file.data.byteLength - file.offset);
      buf.set(file.data.subarray(file.offset, file.offset + n));
      file.offset += n;
      return n;
    },
    close: (fd) => openFiles.delete(fd as number),
  });
}

const TARGET_NS = /<(?:[\w.-]+:)?schema\b[^>]*?\btargetNamespace\s*=\s*(["'])(.*?)\1/s;

/** A set of XSD files, addressed by namespace, with one lazily built validator per namespace. */
class SchemaSet {
  private loaded?: { base: string; fileOfNs: Map<string, string> };
  private readonly validators = new Map<string, XsdValidator>();

  /**
   * @param scheme - URL scheme under which libxml2 reads these files.
   * @param load - the files, path → text; for a namespace declared by several, the first wins.
   */
  constructor(
    private readonly scheme: string,
    private readonly load: () => [string, string][],
  ) {}

  private files() {
    if (!this.loaded) {
      const base = `${this.scheme}:///`;
      const fileOfNs = new Map<string, string>();
      const data = new Map<string, Uint8Array>();
      for (const [path, text] of this.load()) {
        data.set(base + path, new TextEncoder().encode(text));
        const ns = TARGET_NS.exec(text)?.[2];
        if (ns !== undefined && !fileOfNs.has(ns)) fileOfNs.set(ns, path);
      }
      registerMemoryFiles(data);
      this.loaded = { base, fileOfNs };
    }
    return this.loaded;
  }

  /** The validator for a namespace, or undefined when no schema of the set declares it. */
  validatorFor(ns: string): XsdValidator | undefined {
    let validator = this.validators.get(ns);
    if (!validator) {
      const { base, fileOfNs } = this.files();
      const path = fileOfNs.get(ns);
      if (path === undefined) return undefined;
      const url = base + path;
      // The schema document stays alive with its validator, for the whole process.
      const doc = XmlDocument.fromBuffer(memoryFiles.get(url)!, { url });
      validator = XsdValidator.fromDoc(doc);
      this.validators.set(ns, validator);
    }
    return validator;
  }
}

function nationalFiles(patched: boolean): [string, string][] {
  if (!nationalContractsDir)
    throw new Error(`national contracts missing: ${String(skipWithoutNationalContracts)}`);
  const dir = nationalContractsDir;
  const walk = (rel: string): string[] =>
    readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((e) => {
      const path = rel ? `${rel}/${e.name}` : e.name;
      return e.isDirectory() ? walk(path) : e.name.endsWith('.xsd') ? [path] : [];
    });
  // Where several packages declare a namespace (registry), prefer the scheduling one.
  const order = (p: string) =>
    ['TD_SCHEDULING', 'TD_MONITORING', 'TD_ENGAGEMENTINDEX'].findIndex((t) => p.startsWith(t));
  return walk('')
    .sort((a, b) => order(a) - order(b) || (a < b ? -1 : 1))
    .map((path) => {
      const text = readFileSync(join(dir, path), 'utf8').replace(/^\uFEFF/, '');
      return [path, patched ? patchNationalSchema(path, text) : text];
    });
}

const national = new SchemaSet('tidbok-national', () => nationalFiles(true));
const unpatchedNational = new SchemaSet('tidbok-national-unpatched', () => nationalFiles(false));
const generated = new SchemaSet('tidbok-generated', () =>
  generateContractFiles()
    .filter((f) => f.path.endsWith('.xsd'))
    .map((f) => [f.path, f.content]),
);

// ---------------------------------------------------------------------------
// Validation

function childElements(element: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (let node = element.firstChild; node; node = node.next)
    if (node instanceof XmlElement) out.push(node);
  return out;
}

/** SOAP 1.1 §4.4: faultcode (a QName), faultstring, then optional faultactor and detail, all unqualified. */
function faultErrors(fault: XmlElement): string[] {
  const errors: string[] = [];
  const children = childElements(fault);
  const names = children.map((c) => (c.namespaceUri ? `{${c.namespaceUri}}${c.name}` : c.name));
  const allowed = ['faultcode', 'faultstring', 'faultactor', 'detail'];
  let last = -1;
  for (const name of names) {
    const at = allowed.indexOf(name);
    if (at <= last) errors.push(`Fault: unexpected or misplaced child element ${name}`);
    else last = at;
  }
  const code = children.find((c) => c.name === 'faultcode' && !c.namespaceUri);
  if (!code) errors.push('Fault: faultcode is missing');
  else {
    const match = /^([A-Za-z_][\w.-]*):([A-Za-z_][\w.-]*)$/.exec(code.content.trim());
    if (!match) errors.push(`Fault: faultcode "${code.content}" is not a prefixed QName`);
    else if (code.namespaces[match[1]!] === undefined)
      errors.push(`Fault: faultcode prefix "${match[1]}" is not bound to a namespace`);
  }
  if (!children.some((c) => c.name === 'faultstring' && !c.namespaceUri))
    errors.push('Fault: faultstring is missing');
  return errors;
}

function messagesOf(err: unknown): string[] {
  if (err instanceof XmlLibError && err.details.length > 0)
    return err.details.map((d) => maskPersonIdsInText(d.message.trim()));
  return [maskPersonIdsInText(err instanceof Error ? err.message : String(err))];
}

function validate(set: SchemaSet, xml: string, log: boolean): string[] {
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromString(xml);
  } catch (err) {
    return messagesOf(err).map((m) => `not well-formed: ${m}`);
  }
  try {
    let target = doc.root;
    if (target.name === 'Envelope' && target.namespaceUri === NS.soap12Env)
      return ['a SOAP 1.2 envelope; RIV-TA BP 2.1 uses SOAP 1.1 only'];
    if (target.name === 'Envelope' && target.namespaceUri === NS.soapEnv) {
      const bodies = childElements(target).filter(
        (c) => c.name === 'Body' && c.namespaceUri === NS.soapEnv,
      );
      if (bodies.length !== 1) return [`the envelope has ${bodies.length} Body elements`];
      const content = childElements(bodies[0]!);
      if (content.length !== 1) return [`the Body has ${content.length} child elements, not 1`];
      target = content[0]!;
      if (target.name === 'Fault' && target.namespaceUri === NS.soapEnv) return faultErrors(target);
    }
    const ns = target.namespaceUri;
    const validator = set.validatorFor(ns);
    if (!validator) return [`no schema declares the namespace "${ns}" of ${target.name}`];
    if (log && process.env['TIDBOK_VALIDATION_LOG'])
      appendFileSync(process.env['TIDBOK_VALIDATION_LOG'], `${ns} ${target.name}\n`);
    try {
      validator.validate(target);
      return [];
    } catch (err) {
      return messagesOf(err);
    }
  } finally {
    doc.dispose();
  }
}

// The document itself is left out of the error: it may carry a personnummer.
function assertValid(errors: string[], against: string): void {
  if (errors.length === 0) return;
  throw new AssertionError({
    message: `invalid against the ${against} schemas:\n  ${errors.join('\n  ')}`,
    operator: 'assertValid',
  });
}

/**
 * The list of errors (empty = valid) of a SOAP 1.1 envelope's single Body
 * child, or of a bare root element, against the national XSD of its
 * namespace (patched). A Fault body is checked for SOAP 1.1 fault shape.
 * Each XSD validation appends `<namespace> <root local name>` to the file
 * named by `TIDBOK_VALIDATION_LOG` when set.
 */
export function nationalErrors(xml: string): string[] {
  return validate(national, xml, true);
}

/**
 * Throws an AssertionError listing libxml2's messages unless
 * {@link nationalErrors} finds none.
 */
export function assertValidAgainstNational(xml: string): void {
  assertValid(nationalErrors(xml), 'national');
}

/**
 * Like {@link nationalErrors}, against OUR generated schemas (from
 * generateContractFiles(), in memory). Not logged to TIDBOK_VALIDATION_LOG,
 * which records national validations only.
 */
export function generatedErrors(xml: string): string[] {
  return validate(generated, xml, false);
}

/** Like {@link assertValidAgainstNational}, against OUR generated schemas. */
export function assertValidAgainstGenerated(xml: string): void {
  assertValid(generatedErrors(xml), 'generated');
}

/** Errors against the national schemas as published, without the pattern patch (for the patch test). */
export function unpatchedNationalErrors(xml: string): string[] {
  return validate(unpatchedNational, xml, false);
}
