#!/usr/bin/env node
// Stands in for Claude Code's `claude mcp add` in the README's docs test. Where the real one
// only records the server, this one connects with the official MCP SDK client and lists the
// tools, so a README line that would configure a broken server fails the test.
//   claude mcp add [--transport stdio|http] [-e K=V]... [--header "K: V"]... <name> <url | -- command args...>
//   claude mcp add-json <name> <json>
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const fail = (message) => {
  process.stderr.write(`claude (docs test): ${message}\n`);
  process.exit(1);
};

function parseAdd(args) {
  const s = { transport: "stdio", env: {}, headers: {}, rest: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      s.command = args.slice(i + 1);
      break;
    }
    if (a === "--transport" || a === "-t") s.transport = args[++i];
    else if (a === "-e" || a === "--env") {
      const [k, ...v] = String(args[++i]).split("=");
      s.env[k] = v.join("=");
    } else if (a === "--header" || a === "-H") {
      const [k, ...v] = String(args[++i]).split(":");
      s.headers[k.trim()] = v.join(":").trim();
    } else if (a.startsWith("-")) fail(`unknown flag ${a}`);
    else s.rest.push(a);
  }
  return s;
}

function fromJson(name, text) {
  const c = JSON.parse(text);
  if (c.url) return { transport: "http", env: {}, headers: c.headers ?? {}, rest: [name, c.url] };
  return { transport: "stdio", env: c.env ?? {}, headers: {}, rest: [name], command: [c.command, ...(c.args ?? [])] };
}

async function connect(s) {
  const client = new Client({ name: "claude-docs-test", version: "1.0.0" });
  if (s.transport === "http") {
    const url = new URL(s.rest[1] ?? fail("no URL"));
    // The README starts the gateway in the background just before: give it a moment.
    for (let tries = 0; ; tries++) {
      try {
        await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: s.headers } }));
        return client;
      } catch (error) {
        if (tries > 100) throw error;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }
  const [command, ...args] = s.command ?? fail("no command after --");
  await client.connect(
    new StdioClientTransport({ command, args, env: { ...getDefaultEnvironment(), ...process.env, ...s.env } }),
  );
  return client;
}

const [group, verb, ...args] = process.argv.slice(2);
if (group !== "mcp" || (verb !== "add" && verb !== "add-json")) fail(`not supported: ${process.argv.slice(2).join(" ")}`);
const spec = verb === "add" ? parseAdd(args) : fromJson(args[0], args[1] ?? fail("no JSON"));
const name = spec.rest[0];
try {
  const client = await connect(spec);
  const { tools } = await client.listTools();
  process.stdout.write(`Added MCP server ${name}: ${tools.length} tools (${tools.map((t) => t.name).join(", ")})\n`);
  await client.close();
} catch (error) {
  fail(`${name}: ${error.message}`);
}
