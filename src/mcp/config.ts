import { type Static, Type } from "@sinclair/typebox";
import { parse } from "yaml";
import { formatPath } from "../core/errors.js";
import { compileChecker } from "../core/schema-check.js";
import { SEPARATOR } from "./routes.js";
import type { UpstreamSpec } from "./upstream.js";

/**
 * Several upstreams from one file, in the shape MCP clients already use (`mcpServers` as in
 * Claude Desktop, or `servers`): a command to spawn or a URL, per server name. `${VAR}` in env
 * and header values is taken from the gateway's environment, so the credentials an upstream
 * needs live with the gateway and never with the agent.
 */

const Str = Type.String({ minLength: 1 });
const Strings = Type.Record(Type.String(), Type.String());
const Spawned = Type.Object(
  {
    command: Str,
    args: Type.Optional(Type.Array(Type.String())),
    env: Type.Optional(Strings),
    cwd: Type.Optional(Str),
  },
  { additionalProperties: false },
);
const Remote = Type.Object(
  {
    url: Type.String({ pattern: "^[hH][tT][tT][pP][sS]?://" }),
    headers: Type.Optional(Strings),
  },
  { additionalProperties: false },
);
const Servers = Type.Record(Type.String(), Type.Union([Spawned, Remote]), { minProperties: 1 });
const ConfigFile = Type.Object(
  { servers: Type.Optional(Servers), mcpServers: Type.Optional(Servers) },
  { additionalProperties: false },
);
type ConfigFile = Static<typeof ConfigFile>;

const check = compileChecker(ConfigFile);
const NAME = /^[A-Za-z0-9][A-Za-z0-9.-]*$/;

export class ConfigError extends Error {}

/** Parses a gateway config file's text; every problem names the file and the field. */
export function parseConfig(
  file: string,
  text: string,
  env: NodeJS.ProcessEnv = process.env,
): UpstreamSpec[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new ConfigError(`${file}: not YAML or JSON: ${(error as Error).message}`);
  }
  const errors = check(doc);
  if (errors.length > 0)
    throw new ConfigError(
      errors.map((e) => `${file}: ${formatPath(e.path) || "(top)"}: ${e.message}`).join("\n"),
    );
  const c = doc as ConfigFile;
  if (c.servers && c.mcpServers)
    throw new ConfigError(`${file}: give either 'servers' or 'mcpServers', not both`);
  const servers = c.servers ?? c.mcpServers;
  if (!servers) throw new ConfigError(`${file}: no 'servers' listed`);
  return Object.entries(servers).map(([name, s]) => {
    if (!NAME.test(name) || name.includes(SEPARATOR))
      throw new ConfigError(
        `${file}: servers.${name}: a server name is letters, digits, '.' and '-' (it prefixes its tools as ${name}${SEPARATOR}<tool>)`,
      );
    const expand = (o: Record<string, string> | undefined, field: string) =>
      o === undefined ? undefined : expandAll(o, env, `${file}: servers.${name}.${field}`);
    if ("url" in s) {
      const headers = expand(s.headers, "headers");
      return headers ? { name, url: s.url, headers } : { name, url: s.url };
    }
    const spec: UpstreamSpec = { name, command: s.command, args: s.args ?? [] };
    const e = expand(s.env, "env");
    if (e) spec.env = e;
    if (s.cwd) spec.cwd = s.cwd;
    return spec;
  });
}

function expandAll(
  o: Record<string, string>,
  env: NodeJS.ProcessEnv,
  where: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) {
    out[k] = v.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      const value = env[name];
      if (value === undefined)
        throw new ConfigError(`${where}.${k}: environment variable ${name} is not set`);
      return value;
    });
  }
  return out;
}
