/**
 * THE AGENT'S SIDE: a header-injecting reverse proxy that holds the agent's Redline token.
 *
 * The conformance suite cannot send custom HTTP headers (its MCP client is built from the URL
 * alone), yet `redline mcp` admits only agents presenting `Authorization: Bearer <token>`. So the
 * harness points the suite here, and this proxy forwards every request to the gateway with the
 * token added. It is otherwise transparent: bodies stream both ways unbuffered (SSE), status and
 * headers pass through, and Host/Origin naming this proxy are rewritten to name the gateway, as if
 * the suite had called the gateway itself. Any other Host/Origin (the DNS rebinding scenario's
 * evil.example.com) is passed on untouched, for the gateway to reject.
 */
import { createServer, type IncomingHttpHeaders, request } from "node:http";
import type { AddressInfo } from "node:net";

// Hop-by-hop headers belong to one connection, not to the request (RFC 9110 §7.6.1).
const HOP_BY_HOP = ["connection", "keep-alive", "transfer-encoding", "upgrade", "te", "trailer"];
const endToEnd = (h: IncomingHttpHeaders): IncomingHttpHeaders =>
  Object.fromEntries(Object.entries(h).filter(([k]) => !HOP_BY_HOP.includes(k)));

export interface AgentProxy {
  url: string;
  close(): Promise<void>;
}

export async function startAgentProxy(gatewayUrl: string, token: string): Promise<AgentProxy> {
  const gateway = new URL(gatewayUrl);
  let self = "";
  const server = createServer((req, res) => {
    const headers: IncomingHttpHeaders = {
      ...endToEnd(req.headers),
      authorization: `Bearer ${token}`,
    };
    if (headers.host?.toLowerCase() === self) headers.host = gateway.host;
    if (headers.origin?.toLowerCase() === `http://${self}`) headers.origin = gateway.origin;
    const upstream = request(
      {
        hostname: gateway.hostname,
        port: gateway.port,
        method: req.method,
        path: req.url,
        headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, endToEnd(up.headers));
        res.flushHeaders(); // an SSE stream may stay silent for a while
        up.pipe(res);
      },
    );
    upstream.on("error", (err) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`agent proxy: ${err.message}`);
    });
    // The suite hung up (e.g. it cancelled an SSE stream): hang up on the gateway too.
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  self = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `http://${self}${gateway.pathname}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
