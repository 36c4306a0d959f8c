/**
 * Answers for what never becomes a Fastify request: bytes Node's HTTP parser refuses (Content-Length with
 * Transfer-Encoding, a broken request line, a bad header character, headers past the size limit) and `CONNECT`,
 * which Node hands to a 'connect' listener or else drops without a word. Each gets one complete HTTP/1.1 answer
 * in the RFC 6749 §5.2 JSON format with the headers of every other answer, and the connection closes. Nothing of
 * the request is echoed or logged: not the parser's message, not its raw bytes (`rawPacket`).
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ConnectionError, FastifyBaseLogger } from 'fastify';
import { InvalidRequest, MethodNotAllowed, PayloadTooLarge, RequestHeadersTooLarge, RequestTimeout } from '../errors/oauth-error.ts';
import type { OAuthError } from '../errors/oauth-error.ts';
import { safeJson } from './error-handler.ts';
// The onSend hook that adds these never runs for answers written before routing.
import { SECURITY_HEADERS } from './security-headers.ts';

type Logger = Pick<FastifyBaseLogger, 'debug'>;

/** How long a refused connection is still read after the answer, at most (see `answerAndClose`). */
const LINGER_MS = 2000;

// RFC 9112 §6.1 and §6.3: both framings at once is how requests are smuggled past proxies.
const AMBIGUOUS_FRAMING = new InvalidRequest('Transfer-Encoding is invalid or sent with Content-Length');

/** The parser's error codes worth a status or description of their own; any other is `NOT_HTTP`. */
const PARSER_ERRORS: Readonly<Record<string, OAuthError>> = {
  HPE_HEADER_OVERFLOW: new RequestHeadersTooLarge(),
  HPE_CHUNK_EXTENSIONS_OVERFLOW: new PayloadTooLarge('the chunk extensions of the request body are too large'),
  ERR_HTTP_REQUEST_TIMEOUT: new RequestTimeout(),
  HPE_INVALID_TRANSFER_ENCODING: AMBIGUOUS_FRAMING,
  HPE_UNEXPECTED_CONTENT_LENGTH: AMBIGUOUS_FRAMING,
  HPE_INVALID_HEADER_TOKEN: new InvalidRequest('a request header holds a character HTTP does not allow'),
  HPE_PAUSED_H2_UPGRADE: new InvalidRequest('HTTP/2 with prior knowledge is not served here; use HTTP/1.1'),
};
const NOT_HTTP = new InvalidRequest('the request is not valid HTTP/1.1');
// RFC 9110 §15.5.6: a 405 lists the allowed methods; on a tunnel target there are none (§10.2.1).
const CONNECT_REFUSED = new MethodNotAllowed('this server is not a proxy; CONNECT is not supported', { headers: { Allow: '' } });

/** Sockets already answered: the parser reports its error again for every later chunk of the same request. */
const answered = new WeakSet<Duplex>();

/** Fastify's `clientErrorHandler`: called with what Node's 'clientError' event carries. */
export function answerClientError(logger: Logger): (error: ConnectionError, socket: Duplex) => void {
  return (error, socket) => {
    if (answered.has(socket)) return;
    // A connection that timed out without sending a byte asked nothing: close it without an answer or a linger,
    // so a flood of silent connections gives its descriptors back at once (issue 14.5).
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT' && (socket as Duplex & { bytesRead?: number }).bytesRead === 0) {
      socket.destroy();
      return;
    }
    if (error.code === 'ECONNRESET' || !socket.writable || responseUnderway(socket)) {
      socket.destroy();
      return;
    }
    const refusal = PARSER_ERRORS[error.code] ?? NOT_HTTP;
    answerAndClose(socket, refusal, logger, error.code);
  };
}

/** The HTTP server's 'connect' listener. Without one, Node destroys the socket of a CONNECT without an answer. */
export function refuseConnect(logger: Logger): (request: IncomingMessage, socket: Duplex) => void {
  return (_request, socket) => {
    // Node stopped watching this socket when it emitted 'connect': an unhandled reset would crash the process.
    socket.on('error', () => socket.destroy());
    if (!socket.writable) socket.destroy();
    else answerAndClose(socket, CONNECT_REFUSED, logger, 'CONNECT');
  };
}

/**
 * Writing a status line into a response whose head is already out would corrupt it; Node's own default checks
 * the same (see the 'clientError' event in Node's http documentation), through the same undocumented field.
 */
function responseUnderway(socket: Duplex): boolean {
  return (socket as { _httpMessage?: ServerResponse | null })._httpMessage?.headersSent === true;
}

/**
 * Sends the answer and half-closes, then keeps reading and dropping what the client still sends until it closes
 * too (or LINGER_MS pass): closing a socket with request bytes unread makes the kernel reset the connection, and
 * the reset can discard the answer before the client has read it.
 */
function answerAndClose(socket: Duplex, refusal: OAuthError, logger: Logger, code: string): void {
  answered.add(socket);
  const requestId = randomUUID();
  logger.debug({ requestId, code, status: refusal.status }, 'refused a request before routing');
  socket.end(render(refusal, requestId));
  socket.resume();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS).unref();
  socket.once('close', () => clearTimeout(timer));
}

function render(refusal: OAuthError, requestId: string): string {
  const body = safeJson(refusal.toJSON());
  const headers = {
    Date: new Date().toUTCString(),
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
    Connection: 'close',
    'X-Request-Id': requestId,
    ...SECURITY_HEADERS,
    ...refusal.headers,
  };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}\r\n${head.join('')}\r\n${body}`;
}
