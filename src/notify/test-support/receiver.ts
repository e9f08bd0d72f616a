import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** performance.now() when the body had arrived. */
  at: number;
}

/**
 * A real HTTP receiver on 127.0.0.1:0. `answer(n, res)` handles the n-th request (0-based):
 * it may answer, or leave `res` open to play a receiver that never answers.
 */
export async function startReceiver(answer: (n: number, res: ServerResponse) => void = ok) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      const n = received.length;
      received.push({ headers: req.headers, body, at: performance.now() });
      answer(n, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook/secret-path`,
    received,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function ok(_n: number, res: ServerResponse): void {
  res.writeHead(200, { "content-type": "text/plain" }).end("ok");
}

export function status(code: number, headers: Record<string, string> = {}, body = "") {
  return (_n: number, res: ServerResponse): void => {
    res.writeHead(code, headers).end(body);
  };
}
