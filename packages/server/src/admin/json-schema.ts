/**
 * JSON Schema building blocks for admin routes. The same objects go to Fastify (request validation, response
 * serialization) and into the OpenAPI 3.1 document, so the document cannot drift from what the server does.
 * Only keywords JSON Schema draft-07 (Fastify's validator) and 2020-12 (OpenAPI 3.1) read alike are used;
 * nullable values are `type: [T, 'null']`. A schema given a name with `named` becomes a component of the
 * document and is referenced with `$ref` wherever the same object appears.
 */
export type JsonSchema = { readonly [keyword: string]: unknown };

const names = new Map<JsonSchema, string>();

export function named<T extends JsonSchema>(name: string, schema: T): T {
  names.set(schema, name);
  return schema;
}

export function schemaName(schema: JsonSchema): string | undefined {
  return names.get(schema);
}

export const string = (extra: Record<string, unknown> = {}): JsonSchema => ({ type: 'string', ...extra });
export const nullableString = (extra: Record<string, unknown> = {}): JsonSchema => ({ type: ['string', 'null'], ...extra });
export const dateTime: JsonSchema = { type: 'string', format: 'date-time' };
export const nullableDateTime: JsonSchema = { type: ['string', 'null'], format: 'date-time' };
export const stringList: JsonSchema = { type: 'array', items: { type: 'string' } };
export const boolean: JsonSchema = { type: 'boolean' };

/** An object schema: every listed property required unless named in `optional`. */
export function object(properties: Record<string, JsonSchema>, optional: readonly string[] = [], extra: Record<string, unknown> = {}): JsonSchema {
  return {
    type: 'object',
    properties,
    required: Object.keys(properties).filter((key) => !optional.includes(key)),
    additionalProperties: false,
    ...extra,
  };
}

/** A request body whose properties are all optional (PATCH) and which must name at least one. */
export function patchBody(properties: Record<string, JsonSchema>): JsonSchema {
  return { type: 'object', properties, additionalProperties: false, minProperties: 1 };
}

export function pathParams(...keys: string[]): JsonSchema {
  return object(Object.fromEntries(keys.map((key) => [key, { type: 'string', minLength: 1, maxLength: 200 }])));
}

export const ErrorSchema = named(
  'Error',
  object({
    error: string({ description: 'RFC 6749 §5.2 style error code (`invalid_request`, `not_found`, `conflict`, …)' }),
    error_description: string(),
  }),
);

/** Query parameters of every list: `limit` and the `cursor` from the previous page's `next_cursor`. */
export function listQuery(filters: Record<string, JsonSchema> = {}): JsonSchema {
  return object(
    {
      limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
      cursor: string({ maxLength: 200, description: 'next_cursor of the previous page' }),
      ...filters,
    },
    ['limit', 'cursor', ...Object.keys(filters)],
  );
}

/** A page of items: `{ data: [...], next_cursor }` (null on the last page). */
export function pageOf(name: string, item: JsonSchema): JsonSchema {
  return named(name, object({ data: { type: 'array', items: item }, next_cursor: nullableString() }));
}
