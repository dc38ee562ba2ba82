/**
 * XSD validation of SOAP answers through libxml2 (`libxml2-wasm`), against a
 * set of schema files held in memory: they are handed to libxml2 under a
 * made-up URL scheme, so relative `schemaLocation`s resolve exactly as on
 * disk while nothing is read from or written to the disk. Validators are
 * built lazily, once per namespace and process.
 *
 * Used by the SOAP client (our generated contract schemas) and by the tests
 * (the national files, patched in memory).
 */
import {
  XmlDocument,
  XmlElement,
  XmlLibError,
  xmlRegisterInputProvider,
  XsdValidator,
} from 'libxml2-wasm';
import { NS } from '../contracts/namespaces.ts';
import { maskPersonIdsInText } from '../domain/personnummer.ts';

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

// libxml2's messages may quote a value, which may be a person id.
function messagesOf(err: unknown): string[] {
  if (err instanceof XmlLibError && err.details.length > 0)
    return err.details.map((d) => maskPersonIdsInText(d.message.trim()));
  return [maskPersonIdsInText(err instanceof Error ? err.message : String(err))];
}

/** How {@link SchemaSet.errorsOf} treats a document. */
export interface ValidationOptions {
  /** Refuse a document that is not a SOAP 1.1 envelope (by default a bare root element is validated). */
  readonly envelopeOnly?: boolean;
  /** Told the namespace and local name of each element validated against a schema. */
  readonly onValidate?: (ns: string, name: string) => void;
}

/** A set of XSD files, addressed by target namespace. */
export class SchemaSet {
  private loaded?: { base: string; fileOfNs: Map<string, string> };
  private readonly validators = new Map<string, XsdValidator>();

  /**
   * @param scheme - URL scheme under which libxml2 reads these files; one per set.
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

  /**
   * The list of errors (empty = valid) of a SOAP 1.1 envelope's single Body
   * child, or of a bare root element, against the schema of its namespace.
   * A Fault body is checked for the SOAP 1.1 fault shape. Messages never
   * carry a person id in clear.
   */
  errorsOf(xml: string, options: ValidationOptions = {}): string[] {
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
        if (target.name === 'Fault' && target.namespaceUri === NS.soapEnv)
          return faultErrors(target);
      } else if (options.envelopeOnly) {
        return [
          `the root element is {${target.namespaceUri}}${target.name}, not a SOAP 1.1 Envelope`,
        ];
      }
      const ns = target.namespaceUri;
      const validator = this.validatorFor(ns);
      if (!validator) return [`no schema declares the namespace "${ns}" of ${target.name}`];
      options.onValidate?.(ns, target.name);
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
}
