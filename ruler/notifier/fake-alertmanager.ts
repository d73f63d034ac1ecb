/**
 * A fake Alertmanager for tests: a node:http server on 127.0.0.1:0 that records every request
 * (path, headers, parsed JSON body) and answers as the test's `respond` says — a status, or
 * 'hang' to never answer (the socket is closed by `close`).
 */

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The body as sent. */
  readonly text: string;
  /** The body parsed as JSON (the text when it is not JSON). */
  readonly body: unknown;
}

/** What to answer to the n-th request (0-based). */
export type Responder = (n: number, req: RecordedRequest) => number | 'hang';

export interface FakeAlertmanager {
  /** Base URL (no trailing slash), e.g. http://127.0.0.1:1234 */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Replace the responder. */
  respond(fn: Responder): void;
  close(): Promise<void>;
}

export async function startFakeAlertmanager(respond: Responder = () => 200): Promise<FakeAlertmanager> {
  let responder = respond;
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // keep the raw text
      }
      const rec: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, text, body };
      const n = requests.length;
      requests.push(rec);
      const answer = responder(n, rec);
      if (answer === 'hang') return;
      res.writeHead(answer, { 'content-type': 'application/json' });
      res.end(answer >= 200 && answer < 300 ? '' : JSON.stringify(`fake error ${answer}`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond: (fn) => {
      responder = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
