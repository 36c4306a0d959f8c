import pino from 'pino';
import type { Logger } from 'pino';

const SECRET_QUERY_PARAMS = /([?&](?:code|token|id_token_hint|access_token|refresh_token|client_secret|password|login_hint|state)=)[^&#]*/gi;

/** Query values that are secrets (codes, tokens, hints) are replaced before a URL reaches the log. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY_PARAMS, '$1[redacted]');
}

interface RequestLike {
  method?: string;
  url?: string;
  ip?: string;
  id?: string;
}

/**
 * Structured JSON logs. Requests are logged as method, redacted URL and address, never headers or bodies, so
 * tokens, secrets, cookies and passwords cannot reach the log.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'latchkey' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: {
        req: (request: RequestLike) => ({ method: request.method, url: redactUrl(request.url ?? ''), ip: request.ip }),
        res: (reply: { statusCode?: number }) => ({ status: reply.statusCode }),
        err: pino.stdSerializers.err,
      },
      redact: { paths: ['authorization', 'cookie', 'password', 'client_secret', '*.authorization', '*.cookie', '*.password', '*.client_secret'], censor: '[redacted]' },
    },
    destination,
  );
}
