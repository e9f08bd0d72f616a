/**
 * The MCP server the conformance harness puts behind `redline mcp`: every tool, prompt, resource
 * and behaviour the server scenarios of @modelcontextprotocol/conformance call, so that the suite
 * passes directly against it and any difference through the gateway is the gateway's.
 *
 *   tsx conformance/fixture-server.ts --port N     (0 = any; prints `listening <url>` when ready)
 *
 * Streamable HTTP on node:http, one McpServer per session, an in-memory event store (resumable
 * SSE streams), and localhost-only Host/Origin (DNS rebinding protection).
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { completable } from "@modelcontextprotocol/sdk/server/completable.js";
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  type EventStore,
  StreamableHTTPServerTransport,
} from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import {
  CallToolRequestSchema,
  type CallToolResult,
  type ElicitRequestFormParams,
  ErrorCode,
  type JSONRPCMessage,
  ListToolsRequestSchema,
  type LoggingLevel,
  LoggingLevelSchema,
  McpError,
  type ServerNotification,
  type ServerRequest,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  type Tool,
  UnsubscribeRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import * as z from "zod";

/** A 1×1 red PNG and a 1 ms silent WAV (8 kHz, 8-bit mono): the smallest valid media. */
const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";
const WAV = "UklGRiwAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQgAAACAgICAgICAgA==";

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;
type Args = Record<string, unknown>;
interface FixtureTool {
  description: string;
  inputSchema: Tool["inputSchema"];
  run(args: Args, extra: Extra): Promise<CallToolResult>;
}

const text = (t: string): CallToolResult => ({ content: [{ type: "text", text: t }] });
const noArgs: Tool["inputSchema"] = { type: "object", properties: {} };
const LEVELS = LoggingLevelSchema.options;

/** One session's server. Built per session because an McpServer serves one transport. */
function fixtureServer(): McpServer {
  const mcp = new McpServer(
    { name: "redline-conformance-fixture", version: "1.0.0" },
    { capabilities: { tools: {}, logging: {}, resources: { subscribe: true } } },
  );
  const server = mcp.server;

  // logging/setLevel is kept here rather than by the SDK so that tool logs can filter on it and
  // still travel on the tool call's own stream (the SDK's sendLoggingMessage uses the GET stream).
  let minLevel: LoggingLevel = "debug";
  server.setRequestHandler(SetLevelRequestSchema, (req) => {
    minLevel = req.params.level;
    return {};
  });
  const log = async (extra: Extra, level: LoggingLevel, data: string) => {
    if (LEVELS.indexOf(level) < LEVELS.indexOf(minLevel)) return;
    await extra.sendNotification({
      method: "notifications/message",
      params: { level, logger: "fixture", data },
    });
  };

  // Server-to-client requests go out on the stream of the tool call that needs them.
  const elicit = async (
    extra: Extra,
    message: string,
    requestedSchema: ElicitRequestFormParams["requestedSchema"],
  ) => {
    const r = await server.elicitInput(
      { message, requestedSchema },
      { relatedRequestId: extra.requestId },
    );
    return text(
      `Elicitation completed: action=${r.action}, content=${JSON.stringify(r.content ?? {})}`,
    );
  };

  // Tools are served from this table through the low-level server, not McpServer.registerTool:
  // registerTool turns zod into draft-07 JSON Schema, and json-schema-2020-12 checks that a
  // hand-written 2020-12 schema ($schema, $defs, additionalProperties) arrives intact.
  const tools: Record<string, FixtureTool> = {
    test_simple_text: {
      description: "Returns one text content item",
      inputSchema: noArgs,
      run: async () => text("This is a simple text response for testing."),
    },
    test_image_content: {
      description: "Returns one image content item (PNG)",
      inputSchema: noArgs,
      run: async () => ({ content: [{ type: "image", data: PNG, mimeType: "image/png" }] }),
    },
    test_audio_content: {
      description: "Returns one audio content item (WAV)",
      inputSchema: noArgs,
      run: async () => ({ content: [{ type: "audio", data: WAV, mimeType: "audio/wav" }] }),
    },
    test_embedded_resource: {
      description: "Returns an embedded text resource",
      inputSchema: noArgs,
      run: async () => ({
        content: [
          {
            type: "resource",
            resource: {
              uri: "test://embedded-resource",
              mimeType: "text/plain",
              text: "This is an embedded resource content.",
            },
          },
        ],
      }),
    },
    test_multiple_content_types: {
      description: "Returns text, image and resource content together",
      inputSchema: noArgs,
      run: async () => ({
        content: [
          { type: "text", text: "Multiple content types test:" },
          { type: "image", data: PNG, mimeType: "image/png" },
          {
            type: "resource",
            resource: {
              uri: "test://mixed-content-resource",
              mimeType: "application/json",
              text: '{"test":"data","value":123}',
            },
          },
        ],
      }),
    },
    test_tool_with_logging: {
      description: "Sends three info log notifications while it runs",
      inputSchema: noArgs,
      run: async (_args, extra) => {
        await log(extra, "info", "Tool execution started");
        await sleep(50);
        await log(extra, "info", "Tool processing data");
        await sleep(50);
        await log(extra, "info", "Tool execution completed");
        return text("Tool with logging executed successfully");
      },
    },
    test_error_handling: {
      description: "Always fails with a tool error (isError), not a protocol error",
      inputSchema: noArgs,
      run: async () => ({
        isError: true,
        content: [{ type: "text", text: "This tool intentionally returns an error for testing" }],
      }),
    },
    test_tool_with_progress: {
      description: "Reports progress 0, 50 and 100 of 100 when given a progress token",
      inputSchema: noArgs,
      run: async (_args, extra) => {
        const progressToken = extra._meta?.progressToken;
        for (const progress of [0, 50, 100]) {
          if (progress > 0) await sleep(50);
          if (progressToken !== undefined) {
            await extra.sendNotification({
              method: "notifications/progress",
              params: { progressToken, progress, total: 100 },
            });
          }
        }
        return text("Tool with progress executed successfully");
      },
    },
    test_sampling: {
      description: "Asks the client's LLM (sampling/createMessage) and returns its answer",
      inputSchema: {
        type: "object",
        properties: { prompt: { type: "string", description: "The prompt to send to the LLM" } },
        required: ["prompt"],
      },
      run: async (args, extra) => {
        const r = await server.createMessage(
          {
            messages: [{ role: "user", content: { type: "text", text: String(args.prompt) } }],
            maxTokens: 100,
          },
          { relatedRequestId: extra.requestId },
        );
        const reply = [r.content].flat().map((c) => (c.type === "text" ? c.text : `[${c.type}]`));
        return text(`LLM response: ${reply.join(" ")}`);
      },
    },
    test_elicitation: {
      description: "Asks the user for a username and an email (elicitation/create)",
      inputSchema: {
        type: "object",
        properties: { message: { type: "string", description: "The message to show the user" } },
        required: ["message"],
      },
      run: (args, extra) =>
        elicit(extra, String(args.message), {
          type: "object",
          properties: {
            username: { type: "string", description: "User's response" },
            email: { type: "string", description: "User's email address" },
          },
          required: ["username", "email"],
        }),
    },
    test_elicitation_sep1034_defaults: {
      description: "Elicits one field of each primitive type, each with a default (SEP-1034)",
      inputSchema: noArgs,
      run: (_args, extra) =>
        elicit(extra, "Please review and update the form fields with defaults", {
          type: "object",
          properties: {
            name: { type: "string", description: "User name", default: "John Doe" },
            age: { type: "integer", description: "User age", default: 30 },
            score: { type: "number", description: "User score", default: 95.5 },
            status: {
              type: "string",
              description: "User status",
              enum: ["active", "inactive", "pending"],
              default: "active",
            },
            verified: { type: "boolean", description: "Verification status", default: true },
          },
        }),
    },
    test_elicitation_sep1330_enums: {
      description:
        "Elicits the five enum forms: untitled, titled, legacy enumNames, and both multi-selects (SEP-1330)",
      inputSchema: noArgs,
      run: (_args, extra) =>
        elicit(extra, "Please pick from each list", {
          type: "object",
          properties: {
            untitledSingle: { type: "string", enum: ["option1", "option2", "option3"] },
            titledSingle: {
              type: "string",
              oneOf: [
                { const: "value1", title: "First Option" },
                { const: "value2", title: "Second Option" },
                { const: "value3", title: "Third Option" },
              ],
            },
            legacyEnum: {
              type: "string",
              enum: ["opt1", "opt2", "opt3"],
              enumNames: ["Option One", "Option Two", "Option Three"],
            },
            untitledMulti: {
              type: "array",
              items: { type: "string", enum: ["option1", "option2", "option3"] },
            },
            titledMulti: {
              type: "array",
              items: {
                anyOf: [
                  { const: "value1", title: "First Choice" },
                  { const: "value2", title: "Second Choice" },
                  { const: "value3", title: "Third Choice" },
                ],
              },
            },
          },
        }),
    },
    json_schema_2020_12_tool: {
      description: "Tool with JSON Schema 2020-12 features",
      inputSchema: {
        $schema: "https://json-schema.org/draft/2020-12/schema",
        type: "object",
        $defs: {
          address: {
            type: "object",
            properties: { street: { type: "string" }, city: { type: "string" } },
          },
        },
        properties: { name: { type: "string" }, address: { $ref: "#/$defs/address" } },
        additionalProperties: false,
      },
      run: async (args) => text(`Received: ${JSON.stringify(args)}`),
    },
    test_reconnection: {
      description:
        "Closes its SSE stream mid-call, then answers: the client gets the result by resuming (SEP-1699)",
      inputSchema: noArgs,
      run: async (_args, extra) => {
        // The SDK offers closeSSEStream only when the stream is resumable: an event store, and a
        // client whose MCP-Protocol-Version is 2025-11-25 or later (older clients cannot resume).
        extra.closeSSEStream?.();
        await sleep(100);
        return text(
          extra.closeSSEStream
            ? "Result sent after the stream was closed"
            : "Stream not resumable; answered on it",
        );
      },
    },
  };
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: Object.entries(tools).map(([name, t]) => ({
      name,
      description: t.description,
      inputSchema: t.inputSchema,
    })),
  }));
  server.setRequestHandler(CallToolRequestSchema, (req, extra) => {
    const tool = tools[req.params.name];
    // A protocol error, not an isError result: a call that never reached its tool must not pass.
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${req.params.name}`);
    return tool.run(req.params.arguments ?? {}, extra);
  });

  // Resources.
  const resource = (uri: string, mimeType: string, body: { text: string } | { blob: string }) => ({
    contents: [{ uri, mimeType, ...body }],
  });
  mcp.registerResource(
    "static-text",
    "test://static-text",
    { description: "A static text resource", mimeType: "text/plain" },
    (uri) =>
      resource(uri.href, "text/plain", {
        text: "This is the content of the static text resource.",
      }),
  );
  mcp.registerResource(
    "static-binary",
    "test://static-binary",
    { description: "A static binary resource (PNG)", mimeType: "image/png" },
    (uri) => resource(uri.href, "image/png", { blob: PNG }),
  );
  mcp.registerResource(
    "watched-resource",
    "test://watched-resource",
    { description: "A resource to subscribe to", mimeType: "text/plain" },
    (uri) => resource(uri.href, "text/plain", { text: "Watched resource content." }),
  );
  mcp.registerResource(
    "template-data",
    new ResourceTemplate("test://template/{id}/data", { list: undefined }),
    { description: "Data for one id, from a template", mimeType: "application/json" },
    (uri, { id }) =>
      resource(uri.href, "application/json", {
        text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }),
      }),
  );
  // Nothing here ever changes, so no update is ever sent; the set is what unsubscribe undoes.
  const subscribed = new Set<string>();
  server.setRequestHandler(SubscribeRequestSchema, (req) => {
    subscribed.add(req.params.uri);
    return {};
  });
  server.setRequestHandler(UnsubscribeRequestSchema, (req) => {
    subscribed.delete(req.params.uri);
    return {};
  });

  // Prompts; arg1 completes from a short list, which is also what completion-complete asks.
  mcp.registerPrompt("test_simple_prompt", { description: "A prompt without arguments" }, () => ({
    messages: [
      { role: "user", content: { type: "text", text: "This is a simple prompt for testing." } },
    ],
  }));
  const ARG1 = ["paris", "park", "party", "test", "testing"];
  mcp.registerPrompt(
    "test_prompt_with_arguments",
    {
      description: "A prompt with two required arguments",
      argsSchema: {
        arg1: completable(z.string().describe("First test argument"), (v) =>
          ARG1.filter((a) => a.startsWith(v)),
        ),
        arg2: z.string().describe("Second test argument"),
      },
    },
    ({ arg1, arg2 }) => ({
      messages: [
        {
          role: "user",
          content: { type: "text", text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` },
        },
      ],
    }),
  );
  mcp.registerPrompt(
    "test_prompt_with_embedded_resource",
    {
      description: "A prompt that embeds a resource",
      argsSchema: { resourceUri: z.string().describe("URI of the resource to embed") },
    },
    ({ resourceUri }) => ({
      messages: [
        {
          role: "user",
          content: {
            type: "resource",
            resource: {
              uri: resourceUri,
              mimeType: "text/plain",
              text: "Embedded resource content for testing.",
            },
          },
        },
        {
          role: "user",
          content: { type: "text", text: "Please process the embedded resource above." },
        },
      ],
    }),
  );
  mcp.registerPrompt("test_prompt_with_image", { description: "A prompt with an image" }, () => ({
    messages: [
      { role: "user", content: { type: "image", data: PNG, mimeType: "image/png" } },
      { role: "user", content: { type: "text", text: "Please analyze the image above." } },
    ],
  }));
  return mcp;
}

/** Every event of one session, in order, so a client can resume a stream after Last-Event-ID. */
class MemoryEventStore implements EventStore {
  private readonly events: { id: string; streamId: string; message: JSONRPCMessage }[] = [];
  private readonly index = new Map<string, number>();

  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    const id = `${streamId}.${this.events.length}`;
    this.index.set(id, this.events.length);
    this.events.push({ id, streamId, message });
    return id;
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    const i = this.index.get(eventId);
    return i === undefined ? undefined : this.events[i]?.streamId;
  }

  async replayEventsAfter(
    lastEventId: string,
    { send }: { send: (id: string, m: JSONRPCMessage) => Promise<void> },
  ) {
    const i = this.index.get(lastEventId);
    const last = i === undefined ? undefined : this.events[i];
    if (i === undefined || !last) throw new Error(`Unknown event id: ${lastEventId}`);
    for (const e of this.events.slice(i + 1))
      if (e.streamId === last.streamId) await send(e.id, e.message);
    return last.streamId;
  }
}

/** DNS rebinding protection: a browser tricked into calling us carries a foreign Host or Origin. */
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
function isLocal(url: string): boolean {
  try {
    return LOCAL_HOSTS.has(new URL(url).hostname);
  } catch {
    return false;
  }
}
function fromLocalhost(req: IncomingMessage): boolean {
  const { host, origin } = req.headers;
  return (
    host !== undefined && isLocal(`http://${host}`) && (origin === undefined || isLocal(origin))
  );
}

function fail(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message }, id: null }));
}

const sessions = new Map<string, StreamableHTTPServerTransport>();

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (new URL(req.url ?? "/", "http://x").pathname !== "/mcp")
    return fail(res, 404, "Not found: the endpoint is /mcp");
  if (!fromLocalhost(req)) return fail(res, 403, "Forbidden: Host and Origin must be localhost");

  const sessionId = req.headers["mcp-session-id"];
  if (typeof sessionId === "string") {
    const transport = sessions.get(sessionId);
    if (!transport) return fail(res, 404, "Session not found");
    return transport.handleRequest(req, res);
  }
  if (req.method !== "POST")
    return fail(res, 400, "Bad Request: Mcp-Session-Id header is required");

  // A POST without a session starts one. The transport itself answers anything but an
  // initialize with 400; such a transport never gets a session id and is dropped right away.
  const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
    sessionIdGenerator: randomUUID,
    onsessioninitialized: (id) => void sessions.set(id, transport),
    eventStore: new MemoryEventStore(),
    retryInterval: 500,
  });
  transport.onclose = () => {
    if (transport.sessionId) sessions.delete(transport.sessionId);
  };
  await fixtureServer().connect(transport);
  await transport.handleRequest(req, res);
  if (!transport.sessionId) await transport.close();
}

function portArg(argv: string[]): number {
  const i = argv.indexOf("--port");
  const port = Number(i >= 0 ? argv[i + 1] : 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`bad --port: ${argv[i + 1]}`);
  return port;
}

const http = createServer((req, res) => {
  handle(req, res).catch((err: unknown) => {
    console.error("fixture: request failed:", err);
    if (!res.headersSent) fail(res, 500, "Internal error");
    else res.end();
  });
});
http.listen(portArg(process.argv.slice(2)), "127.0.0.1", () => {
  const address = http.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  console.log(`listening http://127.0.0.1:${address.port}/mcp`);
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    for (const t of sessions.values()) void t.close();
    http.close();
    http.closeAllConnections();
    process.exit(0);
  });
}
