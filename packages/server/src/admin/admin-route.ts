/**
 * One admin route: method, path, schemas, and a handler that receives the authenticated admin. Every resource
 * file exports a list of these; `routes.ts` registers them with Fastify and `openapi.ts` documents them.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import type { AdminPrincipal } from './admin-auth.ts';
import type { JsonSchema } from './json-schema.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface AdminCall<P, Q, B> {
  readonly ctx: Latchkey;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  /** Undefined only on routes declared `public`. */
  readonly principal: AdminPrincipal;
  readonly params: P;
  readonly query: Q;
  readonly body: B;
}

export interface AdminRouteDefinition<P, Q, B> {
  readonly method: HttpMethod;
  /** Fastify syntax, relative to /admin/v1: `/tenants/:tenant/groups/:groupId`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly tag: string;
  readonly params?: JsonSchema;
  readonly query?: JsonSchema;
  readonly body?: JsonSchema;
  /** The success status and its body schema (null: no body, e.g. 204). */
  readonly status: number;
  readonly response: JsonSchema | null;
  /** Reachable without credentials (the OpenAPI document). */
  readonly public?: boolean;
  /** The success body's media type when it is not JSON (`text/csv`); `response` then describes it as a string. */
  readonly contentType?: string;
  handle(call: AdminCall<P, Q, B>): Promise<unknown>;
}

export type AdminRoute = AdminRouteDefinition<unknown, unknown, unknown>;

/** Declares a route with typed params, query and body (the schemas guarantee the shapes at run time). */
export function adminRoute<P = Record<string, never>, Q = Record<string, never>, B = Record<string, never>>(definition: AdminRouteDefinition<P, Q, B>): AdminRoute {
  return { ...definition, handle: (call) => definition.handle(call as AdminCall<P, Q, B>) };
}

/** `limit` and `cursor` as the list routes receive them. */
export interface ListQuery {
  readonly limit?: number;
  readonly cursor?: string;
}

export function pageRequest(query: ListQuery): { limit: number; cursor?: string } {
  return { limit: query.limit ?? 50, ...(query.cursor ? { cursor: query.cursor } : {}) };
}

export function pageResponse<T, R>(page: { data: T[]; nextCursor: string | null }, describe: (item: T) => R): { data: R[]; next_cursor: string | null } {
  return { data: page.data.map(describe), next_cursor: page.nextCursor };
}
