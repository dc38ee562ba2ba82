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
import { SchemaSet } from '../../src/soap-client/schema-set.ts';
import { contractSchemas } from '../../src/soap-client/contract-schemas.ts';

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
const generated = contractSchemas;

function validate(set: SchemaSet, xml: string, log: boolean): string[] {
  const logFile = process.env['TIDBOK_VALIDATION_LOG'];
  return set.errorsOf(
    xml,
    log && logFile ? { onValidate: (ns, name) => appendFileSync(logFile, `${ns} ${name}\n`) } : {},
  );
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
