import { type Command, Option } from "commander";
import { AGENT_ENV, runMcp, SECRET_ENV, TOKEN_ENV } from "./mcp.js";

/** `redline mcp`: flags and help; the work is in mcp.ts. */
export function registerMcpCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command("mcp")
    .description(
      "MCP gateway: put Redline between an agent and MCP servers; every tool call is decided and audited",
    )
    .argument("[command...]", "the upstream MCP server to spawn (stdio), after --")
    .option(
      "-p, --policy <file...>",
      "policy YAML file(s), reloaded on change; default: the shipped baseline",
    )
    .option("--state-dir <dir>", "state directory (default: $REDLINE_STATE_DIR, else ./.redline)")
    .addOption(
      new Option("--durability <level>", "audit durability before a call is released")
        .choices(["crash", "fsync"])
        .default("crash"),
    )
    .option("--url <url>", "upstream: a streamable HTTP MCP server instead of a command")
    .option(
      "--name <server>",
      "the upstream's server name in actions and policy (default: from the command or URL)",
    )
    .option(
      "--config <file>",
      "several upstreams from a YAML/JSON file (servers: or mcpServers:); tools become <server>__<tool>",
    )
    .option(
      "--listen <[host:]port>",
      "serve streamable HTTP here instead of stdio (host default 127.0.0.1)",
    )
    .option("--path <path>", "with --listen: the MCP endpoint path", "/mcp")
    .option(
      "--allowed-host <host...>",
      "with --listen: Host headers accepted (default: localhost, 127.0.0.1, [::1] with the port)",
    )
    .option(
      "--allowed-origin <origin...>",
      "with --listen: Origin headers accepted when present (default: http:// + each allowed host)",
    )
    .option("--agent <id>", `stdio: the agent (default: $${AGENT_ENV}, else the token's)`)
    .option("--token-file <file>", `stdio: read the agent token from FILE (default: $${TOKEN_ENV})`)
    .option(
      "--server <url>",
      "decide through a control plane (redline serve) instead of a local state directory",
    )
    .option("--environment <env>", "the environment actions are taken in (e.g. prod)")
    .option("--call-timeout <seconds>", "fail a call the upstream has not answered by then", "120")
    .option(
      "--approval-poll <seconds>",
      "how often a held call re-reads its approval record",
      "0.25",
    )
    .option("--no-watch", "do not reload the policy when its files change")
    .addHelpText(
      "after",
      `
Agents authenticate with their Redline token: over HTTP as "Authorization: Bearer <token>",
over stdio from $${TOKEN_ENV} or --token-file, or with a bootstrap secret in $${SECRET_ENV}
(exchanged for short-lived tokens, renewed automatically). Without a valid one nothing is served.

Denied calls return a tool result with isError and the red line; calls needing approval are held
until a human decides (redline approvals approve <id>), then released once.

Examples:
  REDLINE_TOKEN=$(redline token issue --agent coding-agent --policy policy.yaml) \\
    redline mcp --policy policy.yaml -- npx -y @modelcontextprotocol/server-filesystem /workspace
  redline mcp --policy policy.yaml --listen 127.0.0.1:8080 --url http://127.0.0.1:3001/mcp
  redline mcp --policy policy.yaml --config servers.yaml --listen 8080`,
    )
    .action(async (command: string[], opts) =>
      setExit(await runMcp(opts, command, process.env, process.stderr)),
    );
}
