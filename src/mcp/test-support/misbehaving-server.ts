import { writeFileSync } from "node:fs";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

/**
 * An MCP server (stdio) for fault tests: tools that work, hang, write garbage, or crash.
 * `touch` leaves a file behind, so a test can tell whether a call was forwarded at all.
 * Run with `node --import tsx misbehaving-server.ts [name]`.
 */
const server = new McpServer({ name: process.argv[2] ?? "misbehaving", version: "1.0.0" });
const ok = (text: string) => ({ content: [{ type: "text" as const, text }] });

server.registerTool("echo", { inputSchema: { message: z.string() } }, async ({ message }) =>
  ok(message),
);
server.registerTool("touch", { inputSchema: { path: z.string() } }, async ({ path }) => {
  writeFileSync(path, "touched\n");
  return ok(`touched ${path}`);
});
server.registerTool("hang", {}, () => new Promise<never>(() => undefined));
server.registerTool("garble", {}, async () => {
  process.stdout.write('this is not JSON-RPC\n{"half":\n');
  return ok("said something odd first");
});
server.registerTool("crash", {}, async () => process.exit(3));
for (let i = 0; i < 3; i++) server.registerPrompt(`prompt-${i}`, {}, () => ({ messages: [] }));
server.registerResource("notes", "fixture://notes", {}, async (uri) => ({
  contents: [{ uri: uri.href, text: "the notes" }],
}));

await server.connect(new StdioServerTransport());
