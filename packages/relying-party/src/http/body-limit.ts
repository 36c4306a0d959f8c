/**
 * Request bodies read from `node:http`, lazily and with a cap. Read in full before routing, a 600 MB POST to
 * an unknown path grew a product process to 2.4 GB (issue 13, item 4). Now a body is read only when a handler
 * asks for it, and reading stops at the limit: a declared `Content-Length` over it fails before a byte is read,
 * a streamed body as soon as it passes it, and the bridge answers 413 and closes the connection.
 */
import type { IncomingMessage } from 'node:http';

/** The same default as the Latchkey server (`LATCHKEY_BODY_LIMIT`). */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

/** Options of the node:http and Express/Connect bridges. */
export interface BridgeOptions {
  /** Largest request body a handler may read, in bytes (default 65536); larger ones get 413. */
  readonly bodyLimit?: number;
}

/** Thrown by a body read (`request.text()`, `readParams`) once the body passes the limit. */
export class BodyTooLarge extends Error {
  override name = 'BodyTooLarge';
  readonly limit: number;

  constructor(limit: number) {
    super(`the request body is larger than ${limit} bytes`);
    this.limit = limit;
  }
}

/** The 413 a bridge answers when a handler's body read failed with `BodyTooLarge`. */
export function bodyTooLargeResponse(error: BodyTooLarge): Response {
  // Connection: close, as the rest of the body is never read.
  return Response.json({ error: 'invalid_request', error_description: error.message }, { status: 413, headers: { connection: 'close' } });
}

/**
 * A web stream over a Node request body that pulls nothing until read, and errors with `BodyTooLarge` instead
 * of passing the limit. Undefined when the request carries no body.
 */
export function cappedBody(req: IncomingMessage, limit: number): ReadableStream<Uint8Array> | undefined {
  const declared = req.headers['content-length'];
  if (req.headers['transfer-encoding'] === undefined && (declared === undefined || declared === '0')) return undefined;
  let iterator: AsyncIterator<Buffer> | undefined;
  let received = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (declared !== undefined && Number(declared) > limit) return controller.error(new BodyTooLarge(limit));
        iterator ??= (req as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
        const { done, value } = await iterator.next();
        if (done) return controller.close();
        received += value.length;
        // Stop pulling from the socket: what is still on its way stays in kernel buffers, never in memory here.
        if (received > limit) return controller.error(new BodyTooLarge(limit));
        controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      },
    },
    // Without this, the stream would pull a first chunk as soon as it is made, before any handler asked.
    { highWaterMark: 0 },
  );
}
