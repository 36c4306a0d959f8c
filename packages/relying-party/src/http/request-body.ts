/**
 * Reads the parameters of a product's `/auth/*` request the way the documented dialects send them: a JSON
 * object, a form, or the query string (seed 001: "query param or form field"). Only string values count.
 */
import { BodyTooLarge } from './body-limit.ts';

export type Params = Readonly<Record<string, string>>;

/**
 * @example const { code, state } = await readParams(request);
 */
export async function readParams(request: Request): Promise<Params> {
  const params: Record<string, string> = {};
  for (const [name, value] of new URL(request.url).searchParams) params[name] = value;
  if (request.method === 'GET' || request.method === 'HEAD') return params;
  const type = request.headers.get('content-type') ?? '';
  const text = await request.text().catch((error: unknown) => {
    // Over the bridge's body limit: the bridge answers 413.
    if (error instanceof BodyTooLarge) throw error;
    return '';
  });
  if (text === '') return params;
  if (type.includes('application/x-www-form-urlencoded')) {
    for (const [name, value] of new URLSearchParams(text)) params[name] = value;
    return params;
  }
  try {
    const body: unknown = JSON.parse(text);
    if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
      for (const [name, value] of Object.entries(body)) if (typeof value === 'string') params[name] = value;
    }
  } catch {
    // Not JSON: the endpoint reports the missing parameters.
  }
  return params;
}

/** The bearer credential of a request, if any (for endpoints that treat a missing one specially). */
export function bearerOf(request: Request): string | null {
  return request.headers.get('authorization');
}
