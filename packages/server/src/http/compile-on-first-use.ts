/**
 * Route schemas compiled when a route first needs them instead of at start-up. Fastify compiles every route's
 * validators (Ajv) and response serializers (fast-json-stringify) before it listens; for the admin API's ~60
 * routes that was a quarter of the time from spawn to the first served token (bench/README.md, scenario 7),
 * paid by every instance for routes most of them never serve. The compiled functions are the same ones Fastify
 * would have made; an instance pays each compilation once, on its first request to that route and part.
 */
import SerializerSelector from '@fastify/fast-json-stringify-compiler';
import type { FastifySchemaCompiler, FastifyServerOptions } from 'fastify';

type SchemaController = NonNullable<FastifyServerOptions['schemaController']>;
type Factories = NonNullable<SchemaController['compilersFactory']>;
export type ValidatorFactory = NonNullable<Factories['buildValidator']>;
type SerializerFactory = NonNullable<Factories['buildSerializer']>;
type ValidatorCompiler = FastifySchemaCompiler<unknown>;
type Validator = ReturnType<ValidatorCompiler> & { errors?: unknown };
type Serializer = (data: unknown) => string;

/** One value, made by `make` the first time it is asked for. */
function memo<T>(make: () => T): () => T {
  let value: T | undefined;
  let made = false;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value as T;
  };
}

/**
 * Wraps a validator factory so that each route part's validator compiles on its first call. Fastify reads a
 * failed validation's `errors` from the function it holds, so the wrapper carries them over from Ajv's.
 */
export function validateOnFirstUse(factory: ValidatorFactory): ValidatorFactory {
  return ((externalSchemas: unknown, options: unknown) => {
    const compilerFor = memo(() => (factory as (...args: unknown[]) => ValidatorCompiler)(externalSchemas, options));
    const compileRoute: ValidatorCompiler = (route) => {
      const compiled = memo(() => compilerFor()(route) as Validator);
      const validate = (data: unknown, context?: unknown) => {
        const validator = compiled();
        const result = (validator as (data: unknown, context?: unknown) => unknown)(data, context);
        validate.errors = validator.errors;
        return result;
      };
      validate.errors = undefined as unknown;
      return validate as ReturnType<ValidatorCompiler>;
    };
    return compileRoute;
  }) as ValidatorFactory;
}

/** Fastify's own response serializer factory (fast-json-stringify), each route's serializer compiled on first use. */
export function serializeOnFirstUse(): SerializerFactory {
  const selector = (SerializerSelector as unknown as () => (...args: unknown[]) => (route: unknown) => Serializer)();
  return ((externalSchemas: unknown, options: unknown) => {
    const compilerFor = memo(() => selector(externalSchemas, options));
    return (route: unknown) => {
      const compiled = memo(() => compilerFor()(route));
      return (data: unknown) => compiled()(data);
    };
  }) as unknown as SerializerFactory;
}
