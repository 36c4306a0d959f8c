import type { FastifyInstance } from 'fastify';
import { InvalidRequest } from '../errors/oauth-error.ts';

const MAX_DEPTH = 32;

function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return false;
  for (const [key, item] of Object.entries(value)) if (key.includes('\0') || containsNul(item, depth + 1)) return true;
  return false;
}

/**
 * Refuses NUL characters anywhere in parsed input (path and query parameters, JSON bodies) before a handler
 * runs: PostgreSQL cannot store them in text columns, so they would otherwise surface as 500s deep inside a
 * query. The protocol endpoints parse their own bodies and refuse NUL there (`oauth/request-params.ts`).
 */
export function registerNulGuard(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    if (containsNul(request.params) || containsNul(request.query) || (typeof request.body === 'object' && containsNul(request.body))) {
      throw new InvalidRequest('input must not contain NUL characters');
    }
  });
}
