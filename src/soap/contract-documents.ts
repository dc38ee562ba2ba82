/**
 * Serves an interaction's WSDL (`?wsdl`) and the schemas it imports
 * (`?xsd=<path>`) from its own endpoint, so a client generator (zeep, CXF,
 * wsimport) can import the contract from the URL it will call. BP 2.1 #20
 * does not require `?wsdl`, but consumers expect it.
 *
 * The documents are the generated files (`contracts/generate-files.ts`),
 * looked up by exact path in that in-memory set: a user-supplied path never
 * reaches the file system. Each is turned once into a template whose only
 * holes are the endpoint URL, so answering is a few string joins.
 */
import { posix } from 'node:path';
import type { ContractBundle, Interaction } from '../contracts/model.ts';
import {
  bundleOf,
  generateContractFiles,
  schemaPath,
  wsdlPath,
} from '../contracts/generate-files.ts';
import { escapeAttribute } from '../xml/escape.ts';

/** An HTTP answer for a contract document. */
export interface ServedDocument {
  status: number;
  contentType: string;
  body: string;
}

const XML = 'text/xml; charset=UTF-8';

/** A hole in a template: the endpoint itself, or the URL of one schema of the bundle. */
type Hole = { readonly address: true } | { readonly xsd: string };
type Template = readonly (string | Hole)[];

const LOCATION = /(\bschemaLocation="|<soap:address location=")([^"]*)"/g;

let files: ReadonlyMap<string, string> | undefined;
const templates = new Map<string, Template>();

function generatedFile(path: string): string | undefined {
  files ??= new Map(generateContractFiles().map((f) => [f.path, f.content]));
  return files.get(path);
}

function templateOf(bundle: ContractBundle, path: string): Template | undefined {
  let template = templates.get(path);
  if (template) return template;
  const content = generatedFile(path);
  if (content === undefined) return undefined;
  const schemasRoot = schemaPath(bundle, '');
  const pieces: (string | Hole)[] = [];
  let last = 0;
  for (const match of content.matchAll(LOCATION)) {
    const [whole, attribute, location] = match as unknown as [string, string, string];
    pieces.push(content.slice(last, match.index) + attribute);
    if (attribute.startsWith('<soap:address')) {
      pieces.push({ address: true });
    } else {
      const target = posix.normalize(posix.join(posix.dirname(path), location));
      if (!target.startsWith(schemasRoot))
        throw new Error(`${path}: schemaLocation ${location} leaves ${schemasRoot}`);
      pieces.push({ xsd: target.slice(schemasRoot.length) });
    }
    pieces.push('"');
    last = match.index + whole.length;
  }
  pieces.push(content.slice(last));
  template = pieces;
  templates.set(path, template);
  return template;
}

function render(template: Template, endpointUrl: string): string {
  const address = escapeAttribute(endpointUrl);
  return template
    .map((p) =>
      typeof p === 'string'
        ? p
        : 'address' in p
          ? address
          : `${address}?xsd=${escapeAttribute(p.xsd)}`,
    )
    .join('');
}

const notFound: ServedDocument = {
  status: 404,
  contentType: 'text/plain; charset=UTF-8',
  body: 'No such contract document.\n',
};

/**
 * Answers GET ?wsdl and GET ?xsd=<path> for an interaction endpoint;
 * undefined when the query asks for neither.
 *
 * @param interaction - the interaction served at this endpoint.
 * @param query - the request's query string.
 * @param endpointUrl - the URL the document was fetched from, without query:
 *   it becomes the WSDL's soap:address and the base of every schemaLocation.
 */
export function serveContractDocument(
  interaction: Interaction,
  query: URLSearchParams,
  endpointUrl: string,
): ServedDocument | undefined {
  const wantsWsdl = query.has('wsdl') || query.has('WSDL');
  const xsd = query.get('xsd');
  if (!wantsWsdl && xsd === null) return undefined;
  const bundle = bundleOf(interaction);
  if (!bundle) return notFound;
  // Only exact paths of generated schemas match: `..` or absolute paths find nothing.
  const template = wantsWsdl
    ? templateOf(bundle, wsdlPath(bundle, interaction))
    : templateOf(bundle, schemaPath(bundle, xsd!));
  if (!template) return notFound;
  return { status: 200, contentType: XML, body: render(template, endpointUrl) };
}
