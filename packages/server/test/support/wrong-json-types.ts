/**
 * Bodies whose only fault is one value of the wrong JSON type, generated from a route's body schema: for every
 * property (and every property of a nested object, and the items of an array) each JSON type the schema does not
 * allow, inside a body that is otherwise valid. Most of these values are ones a coercing validator would quietly
 * turn into valid ones (`true` into "true", "7" into 7, "x" into ["x"], ["x"] into "x"), so a server that coerces
 * accepts them and changes something; one that validates JSON as sent refuses them all.
 */
import assert from 'node:assert/strict';
import type { JsonSchema } from '../../src/admin/json-schema.ts';

interface FieldSchema {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
  readonly minimum?: number;
  readonly properties?: Record<string, FieldSchema>;
  readonly required?: readonly string[];
  readonly items?: FieldSchema;
}

/** A string that fits every pattern and length the admin schemas declare for required or sample values. */
const SAMPLE_STRING = 'wrong-type-probe';

export interface MisTypedBody {
  /** Where the wrong value sits and what it is, e.g. `settings.access_token_lifetime as "7"`. */
  readonly label: string;
  readonly body: Record<string, unknown>;
}

function typesOf(schema: FieldSchema): readonly string[] {
  return schema.type === undefined ? [] : typeof schema.type === 'string' ? [schema.type] : schema.type;
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function allows(schema: FieldSchema, value: unknown): boolean {
  const types = typesOf(schema);
  const type = jsonTypeOf(value);
  return types.includes(type) || (type === 'integer' && types.includes('number'));
}

/** A value the schema accepts (the generator fails loudly on a schema it cannot satisfy). */
export function validSample(schema: FieldSchema): unknown {
  const value = schema.enum?.find((v) => v !== null) ?? sampleOfType(typesOf(schema).find((t) => t !== 'null'));
  if (schema.pattern !== undefined) assert.match(String(value), new RegExp(schema.pattern), 'the sample string no longer fits a schema pattern; extend validSample');
  return value;
}

function sampleOfType(type: string | undefined): unknown {
  switch (type) {
    case 'string': return SAMPLE_STRING;
    case 'integer': case 'number': return 1;
    case 'boolean': return true;
    case 'array': return [];
    case 'object': return {};
    default: throw new Error(`no sample for JSON type ${type}`);
  }
}

/** Values of every JSON type the schema refuses: first the ones a coercing validator would turn into valid ones. */
function wrongTypeValues(schema: FieldSchema): unknown[] {
  const sample = validSample(schema);
  return [true, 7, 1.5, '7', 'true', SAMPLE_STRING, [sample], {}, null].filter((value) => !allows(schema, value));
}

/** [label, value] pairs that put a wrong type at `name` itself, inside it (nested object), or in its items. */
function misTypedValues(name: string, schema: FieldSchema): Array<[string, unknown]> {
  const pairs: Array<[string, unknown]> = wrongTypeValues(schema).map((value) => [`${name} as ${JSON.stringify(value)}`, value]);
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    for (const [label, value] of misTypedValues(`${name}.${key}`, property)) pairs.push([label, { [key]: value }]);
  }
  if (schema.items !== undefined && typesOf(schema).includes('array')) {
    for (const [label, value] of misTypedValues(`${name}[0]`, schema.items)) pairs.push([label, [value]]);
  }
  return pairs;
}

/**
 * Every mis-typed body for a route's body schema. `known` gives the values of required properties that must
 * name something real (an owner's user id), so that the rest of the body would be accepted.
 */
export function misTypedBodies(bodySchema: JsonSchema, known: Record<string, unknown> = {}): MisTypedBody[] {
  const schema = bodySchema as FieldSchema;
  const properties = schema.properties ?? {};
  const base = Object.fromEntries((schema.required ?? []).map((key) => [key, key in known ? known[key] : validSample(properties[key]!)]));
  return Object.entries(properties).flatMap(([name, property]) => misTypedValues(name, property).map(([label, value]) => ({ label, body: { ...base, [name]: value } })));
}
