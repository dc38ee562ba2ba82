/**
 * The OpenAPI 3.1 document of the admin API, generated from the routes' zod
 * schemas (so it cannot drift from what the API checks) and served at
 * `GET /admin/openapi.json`.
 *
 * @module
 */
import { z } from 'zod';
import { noBody, type AdminRoute } from './admin-route.ts';

type JsonSchema = Record<string, unknown>;

const errorAnswer = {
  description: 'Refused: `{ "error": "…" }`; never holds a personnummer',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorAnswer' } } },
};

/** Named schemas (`.meta({ id })`) go to `components.schemas`, referenced from where they are used. */
class Components {
  readonly schemas: Record<string, JsonSchema> = {
    ErrorAnswer: {
      type: 'object',
      properties: { error: { type: 'string' } },
      required: ['error'],
    },
  };

  add(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
    const text = JSON.stringify(json).replaceAll('"#/$defs/', '"#/components/schemas/');
    const { $defs, ...rest } = JSON.parse(text) as JsonSchema & {
      $defs?: Record<string, JsonSchema>;
    };
    Object.assign(this.schemas, $defs ?? {});
    delete rest['$schema'];
    return rest;
  }
}

function queryParameters(route: AdminRoute, components: Components): JsonSchema[] {
  const schema = components.add(route.query, 'input') as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: schema.required?.includes(name) ?? false,
    schema: property,
  }));
}

function operation(route: AdminRoute, components: Components): JsonSchema {
  const pathParameters = [...route.path.matchAll(/:(\w+)/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  return {
    summary: route.summary,
    parameters: [...pathParameters, ...queryParameters(route, components)],
    ...(route.method === 'POST' && route.body !== noBody
      ? {
          requestBody: {
            required: false,
            content: { 'application/json': { schema: components.add(route.body, 'input') } },
          },
        }
      : {}),
    responses: {
      [route.status]: {
        description: 'Done',
        ...(route.answer
          ? { content: { 'application/json': { schema: components.add(route.answer, 'output') } } }
          : {}),
      },
      400: errorAnswer,
      401: errorAnswer,
      404: errorAnswer,
      ...(route.method === 'POST' ? { 409: errorAnswer } : {}),
    },
  };
}

export function adminOpenApiDocument(routes: readonly AdminRoute[], version: string): JsonSchema {
  const components = new Components();
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    (paths[path] ??= {})[route.method.toLowerCase()] = operation(route, components);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'tidbok admin API',
      version,
      description:
        'Staff actions on bookings and invitations, and operator actions on the outbox. ' +
        'Every route needs `Authorization: Bearer <TIDBOK_ADMIN_TOKEN>`.',
    },
    security: [{ bearer: [] }],
    paths,
    components: {
      schemas: components.schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
  };
}
