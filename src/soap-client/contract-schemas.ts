/**
 * Validates SOAP answers against the project's own generated XSDs (the ones
 * `test/contracts` proves equal to the national files, with the personnummer
 * pattern patched), held in memory: production code never reads the
 * national files.
 */
import { generateContractFiles } from '../contracts/generate-files.ts';
import { SchemaSet } from './schema-set.ts';

/** Our generated contract schemas (`schemas/`), from `generateContractFiles()`. */
export const contractSchemas = new SchemaSet('tidbok-contract', () =>
  generateContractFiles()
    .filter((f) => f.path.endsWith('.xsd'))
    .map((f) => [f.path, f.content]),
);

/**
 * What is wrong with a SOAP 1.1 answer: an empty list when its single Body
 * element validates against the contract schema of its namespace (or, for a
 * Fault, has the SOAP 1.1 fault shape). Messages never carry a person id in clear.
 *
 * @param xml - the whole answer as received.
 */
export function schemaErrorsOf(xml: string): string[] {
  return contractSchemas.errorsOf(xml, { envelopeOnly: true });
}
