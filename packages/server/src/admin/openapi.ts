/**
 * The OpenAPI 3.1 document of the admin API, generated from the same route definitions and JSON schemas that
 * Fastify validates and serializes with. Named schemas become `components.schemas` and are referenced by `$ref`.
 */
import type { AdminRoute } from './admin-route.ts';
import { ErrorSchema, schemaName } from './json-schema.ts';
import type { JsonSchema } from './json-schema.ts';
import { ADMIN_SCOPE } from './admin-auth.ts';

export const ADMIN_PREFIX = '/admin/v1';

type Components = Record<string, unknown>;

/** Replaces named sub-schemas by `$ref`s, collecting them as components. */
function convert(schema: unknown, components: Components, isRoot = false): unknown {
  if (Array.isArray(schema)) return schema.map((item) => convert(item, components));
  if (schema === null || typeof schema !== 'object') return schema;
  const name = schemaName(schema as JsonSchema);
  if (name !== undefined && !isRoot) {
    if (!(name in components)) {
      components[name] = {}; // reserve first: a schema that refers to itself terminates
      components[name] = convert(schema, components, true);
    }
    return { $ref: `#/components/schemas/${name}` };
  }
  const out: Record<string, unknown> = {};
  for (const [keyword, value] of Object.entries(schema)) {
    out[keyword] = keyword === 'properties' ? Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, convert(v, components)])) : convert(value, components);
  }
  return out;
}

/** `/tenants/:tenant/groups` → `/tenants/{tenant}/groups` */
export function openApiPath(fastifyPath: string): string {
  return fastifyPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function parameters(schema: JsonSchema | undefined, location: 'path' | 'query', components: Components): unknown[] {
  const properties = (schema?.properties ?? {}) as Record<string, JsonSchema>;
  const required = (schema?.required ?? []) as string[];
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || required.includes(name),
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
    schema: convert(property, components),
  }));
}

const ERROR_RESPONSES: Record<string, string> = {
  '400': 'The request is malformed or a value is invalid (`invalid_request`)',
  '401': 'No valid Bearer access token (`invalid_token`, with WWW-Authenticate)',
  '403': 'The token lacks the latchkey:admin scope or an admin role for this operation',
  '404': 'No such resource, or it belongs to a tenant the caller may not see',
  '409': 'The change conflicts with the current state (a duplicate name, a group cycle, …)',
};

export function buildOpenApiDocument(routes: readonly AdminRoute[], baseUrl: string): Record<string, unknown> {
  const schemas: Components = {};
  const errorRef = convert({ wrapper: ErrorSchema }, schemas) as { wrapper: unknown };
  const responses = Object.fromEntries(Object.entries(ERROR_RESPONSES).map(([status, description]) => [`E${status}`, { description, content: { 'application/json': { schema: errorRef.wrapper } } }]));
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    const success = {
      description: route.response === null ? 'Done; no content' : route.summary,
      ...(route.response === null ? {} : { content: { [route.contentType ?? 'application/json']: { schema: convert(route.response, schemas) } } }),
    };
    const failures = route.public ? {} : Object.fromEntries(Object.keys(ERROR_RESPONSES).map((status) => [status, { $ref: `#/components/responses/E${status}` }]));
    const operation = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      ...(route.public ? { security: [] } : {}),
      parameters: [...parameters(route.params, 'path', schemas), ...parameters(route.query, 'query', schemas)],
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: convert(route.body, schemas) } } } } : {}),
      responses: { [String(route.status)]: success, ...failures },
    };
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Latchkey admin API',
      version: '1.0.0',
      description:
        `Partners, tenants, users, groups, roles, clients, API keys, signing keys and the audit log. Authenticate with a Bearer access token carrying the ${ADMIN_SCOPE} scope: ` +
        'a user token of a tenant_admin (one tenant) or super_admin (everything), or a client_credentials token of a client allowed that scope (tenant_admin of its tenant). ' +
        'Lists are paginated with `limit` and `cursor` (the `next_cursor` of the previous page). Every change is written to the audit log in the same transaction.',
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    servers: [{ url: `${baseUrl}${ADMIN_PREFIX}` }],
    security: [{ bearer: [] }],
    tags: [...new Set(routes.map((route) => route.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: `An access token with the ${ADMIN_SCOPE} scope` } },
      responses,
      schemas,
    },
  };
}
