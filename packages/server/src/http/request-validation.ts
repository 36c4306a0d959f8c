/**
 * Request validation: Fastify's own Ajv compiler, built twice and chosen by the part of the request a schema
 * describes. A JSON body is validated as sent, without type coercion: `{"name": true}` is a 400, not a name
 * "true", and a lone string is not wrapped into a one-element array. The querystring and path parameters arrive
 * as text, so they keep Fastify's coercion (`?limit=10` is the integer 10). Only JSON bodies carry schemas; a
 * form-encoded body given one would need coercion and does not belong here.
 */
import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifySchemaCompiler, FastifyServerOptions } from 'fastify';

type ValidatorFactory = NonNullable<NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildValidator']>;
type ValidatorCompiler = FastifySchemaCompiler<unknown>;
/** Fastify's `ajv` server option, as Fastify hands it to the factory (always with `customOptions`). */
type AjvOptions = { readonly customOptions?: Record<string, unknown> };
// @fastify/ajv-compiler's types say its compiler takes a bare schema; Fastify calls it with the route's schema
// definition ({ schema, method, url, httpPart }), which is what it reads.
type CompilerFromPool = (externalSchemas: unknown, options: AjvOptions) => ValidatorCompiler;

/** A `schemaController.compilersFactory.buildValidator` for one Fastify instance (its own pool of Ajv instances). */
export function buildRequestValidator(): ValidatorFactory {
  const fromPool = AjvCompiler() as unknown as CompilerFromPool;
  const build: CompilerFromPool = (externalSchemas, options) => {
    const textParts = fromPool(externalSchemas, options);
    const body = fromPool(externalSchemas, { ...options, customOptions: { ...options.customOptions, coerceTypes: false } });
    return (route) => (route.httpPart === 'body' ? body : textParts)(route);
  };
  return build as unknown as ValidatorFactory;
}
