/**
 * Validates SOAP answers against the project's own generated XSDs (the ones
 * `test/contracts` proves equal to the national files, with the personnummer
 * pattern patched), through libxml2. The schema files never touch the disk:
 * they are handed to libxml2 from memory under a made-up URL scheme, so their
 * relative `schemaLocation`s resolve as they would on disk.
 */
import {
  XmlDocument,
  XmlElement,
  XmlLibError,
  xmlRegisterInputProvider,
  XsdValidator,
} from 'libxml2-wasm';
import { generateContractFiles } from '../contracts/generate-files.ts';
import { NS } from '../contracts/namespaces.ts';
import { maskPersonIdsInText } from '../domain/personnummer.ts';

const BASE = 'tidbok-contract:///';
const TARGET_NS = /<(?:[\w.-]+:)?schema\b[^>]*?\btargetNamespace\s*=\s*(["'])(.*?)\1/s;

interface Loaded {
  readonly bytes: ReadonlyMap<string, Uint8Array>;
  /** Namespace → URL of the first schema that declares it. */
  readonly urlOfNs: ReadonlyMap<string, string>;
}

let loaded: Loaded | undefined;
const validators = new Map<string, XsdValidator>();

function load(): Loaded {
  if (loaded) return loaded;
  const bytes = new Map<string, Uint8Array>();
  const urlOfNs = new Map<string, string>();
  for (const file of generateContractFiles()) {
    if (!file.path.endsWith('.xsd')) continue;
    const url = BASE + file.path;
    bytes.set(url, new TextEncoder().encode(file.content));
    const ns = TARGET_NS.exec(file.content)?.[2];
    if (ns !== undefined && !urlOfNs.has(ns)) urlOfNs.set(ns, url);
  }
  const open = new Map<number, { data: Uint8Array; offset: number }>();
  let nextFd = 1;
  xmlRegisterInputProvider({
    match: (url) => bytes.has(url),
    open: (url) => {
      const data = bytes.get(url);
      if (!data) return undefined;
      open.set(nextFd, { data, offset: 0 });
      return nextFd++;
    },
    read: (fd, buf) => {
      const file = open.get(fd as number);
      if (!file) return -1;
      const n = Math.min(buf.byteLength, file.data.byteLength - file.offset);
      buf.set(file.data.subarray(file.offset, file.offset + n));
      file.offset += n;
      return n;
    },
    close: (fd) => open.delete(fd as number),
  });
  return (loaded = { bytes, urlOfNs });
}

function validatorFor(ns: string): XsdValidator | undefined {
  let validator = validators.get(ns);
  if (validator) return validator;
  const { bytes, urlOfNs } = load();
  const url = urlOfNs.get(ns);
  if (url === undefined) return undefined;
  // The schema document lives as long as its validator: for the whole process.
  validator = XsdValidator.fromDoc(XmlDocument.fromBuffer(bytes.get(url)!, { url }));
  validators.set(ns, validator);
  return validator;
}

function elementChildren(element: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (let node = element.firstChild; node; node = node.next)
    if (node instanceof XmlElement) out.push(node);
  return out;
}

/** SOAP 1.1 §4.4: unqualified faultcode (a bound QName) and faultstring, then faultactor, detail. */
function faultShapeErrors(fault: XmlElement): string[] {
  const errors: string[] = [];
  const children = elementChildren(fault);
  const order = ['faultcode', 'faultstring', 'faultactor', 'detail'];
  let last = -1;
  for (const child of children) {
    const at = child.namespaceUri ? -1 : order.indexOf(child.name);
    if (at <= last) errors.push(`Fault: unexpected or misplaced element ${child.name}`);
    else last = at;
  }
  const code = children.find((c) => c.name === 'faultcode' && !c.namespaceUri);
  const qname = code && /^([A-Za-z_][\w.-]*):[A-Za-z_][\w.-]*$/.exec(code.content.trim());
  if (!code) errors.push('Fault: faultcode is missing');
  else if (!qname) errors.push('Fault: faultcode is not a prefixed QName');
  else if (code.namespaces[qname[1]!] === undefined)
    errors.push(`Fault: faultcode prefix ${qname[1]} is not bound to a namespace`);
  if (!children.some((c) => c.name === 'faultstring' && !c.namespaceUri))
    errors.push('Fault: faultstring is missing');
  return errors;
}

function messagesOf(err: unknown): string[] {
  const messages =
    err instanceof XmlLibError && err.details.length > 0
      ? err.details.map((d) => d.message.trim())
      : [err instanceof Error ? err.message : String(err)];
  return messages.map(maskPersonIdsInText);
}

/**
 * What is wrong with a SOAP 1.1 answer: an empty list when its single Body
 * element validates against the contract schema of its namespace (or, for a
 * Fault, has the SOAP 1.1 fault shape). Messages never carry a person id in clear.
 *
 * @param xml - the whole answer as received.
 */
export function schemaErrorsOf(xml: string): string[] {
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromString(xml);
  } catch (err) {
    return messagesOf(err).map((m) => `not well-formed XML: ${m}`);
  }
  try {
    const root = doc.root;
    if (root.name !== 'Envelope' || root.namespaceUri !== NS.soapEnv)
      return [`the root element is {${root.namespaceUri}}${root.name}, not a SOAP 1.1 Envelope`];
    const bodies = elementChildren(root).filter(
      (c) => c.name === 'Body' && c.namespaceUri === NS.soapEnv,
    );
    if (bodies.length !== 1) return [`the Envelope has ${bodies.length} Body elements, not 1`];
    const content = elementChildren(bodies[0]!);
    if (content.length !== 1) return [`the Body has ${content.length} elements, not 1`];
    const answer = content[0]!;
    if (answer.name === 'Fault' && answer.namespaceUri === NS.soapEnv)
      return faultShapeErrors(answer);
    const validator = validatorFor(answer.namespaceUri);
    if (!validator)
      return [`no contract schema declares the namespace ${answer.namespaceUri} of ${answer.name}`];
    try {
      validator.validate(answer);
      return [];
    } catch (err) {
      return messagesOf(err);
    }
  } finally {
    doc.dispose();
  }
}
