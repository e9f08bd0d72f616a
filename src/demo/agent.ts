import { isAbsolute, join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  getDefaultEnvironment,
  StdioClientTransport,
} from "@modelcontextprotocol/sdk/client/stdio.js";
import { runChild } from "../cli/child.js";
import type { Act } from "./scenario.js";

/** What the agent saw come back: the tool result, or the hook's answer to Claude Code. */
export interface Seen {
  /** The effect the agent experienced: allow (it ran), deny (it did not). */
  ran: boolean;
  text: string;
}

export interface AgentOptions {
  /** `bin/redline.js`: the gateway and the hook run as a user's MCP client and Claude Code run them. */
  bin: string;
  server: URL;
  token: string;
  workspace: string;
  /** The filesystem MCP server's entry (a real server from npm). */
  filesystemServer: string;
  /** The longest a held call may wait for its human (the approval's expiry and a margin). */
  holdMs: number;
}

/**
 * The demo's agent: an MCP client of `redline mcp --server` in front of the filesystem server,
 * and a Claude Code stand-in that asks `redline hook claude-code --server` before each Bash
 * command. Both decide through the same control plane.
 */
export class DemoAgent {
  private constructor(
    private readonly o: AgentOptions,
    private readonly client: Client,
  ) {}

  static async connect(o: AgentOptions): Promise<DemoAgent> {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [
        o.bin,
        "mcp",
        "--server",
        o.server.href,
        "--name",
        "filesystem",
        "--approval-poll",
        "0.1",
        "--",
        process.execPath,
        o.filesystemServer,
        o.workspace,
      ],
      env: { ...getDefaultEnvironment(), REDLINE_TOKEN: o.token },
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const client = new Client({ name: "redline-demo-agent", version: "1.0.0" });
    try {
      await client.connect(transport);
    } catch (error) {
      throw new Error(`the MCP gateway did not start: ${(error as Error).message}\n${stderr}`);
    }
    return new DemoAgent(o, client);
  }

  async run(act: Act): Promise<Seen> {
    return act.via === "mcp" ? this.call(act.tool, act.arguments) : this.bash(act.command);
  }

  private async call(tool: string, args: Record<string, unknown>): Promise<Seen> {
    const path = args.path;
    const absolute =
      typeof path === "string" && !isAbsolute(path)
        ? { ...args, path: join(this.o.workspace, path) }
        : args;
    try {
      const r = await this.client.callTool({ name: tool, arguments: absolute }, undefined, {
        // Asking for progress: a held call sends it while it waits for its human, and each
        // notice restarts the timeout.
        onprogress: () => undefined,
        resetTimeoutOnProgress: true,
        timeout: 60_000,
        maxTotalTimeout: this.o.holdMs,
      });
      const text = ((r.content ?? []) as { type: string; text?: string }[])
        .map((c) => c.text ?? "")
        .join("");
      return { ran: r.isError !== true, text };
    } catch (error) {
      return { ran: false, text: (error as Error).message };
    }
  }

  /** One hook process per tool call, as Claude Code runs it, with the PreToolUse payload on stdin. */
  private async bash(command: string): Promise<Seen> {
    const payload = {
      hook_event_name: "PreToolUse",
      session_id: "redline-demo",
      cwd: this.o.workspace,
      tool_name: "Bash",
      tool_input: { command },
    };
    const { stdout, stderr } = await runChild(
      process.execPath,
      [this.o.bin, "hook", "claude-code", "--server", this.o.server.href, "--wait", "2"],
      { input: JSON.stringify(payload), env: { ...process.env, REDLINE_TOKEN: this.o.token } },
    );
    try {
      const answer = JSON.parse(stdout).hookSpecificOutput as {
        permissionDecision: string;
        permissionDecisionReason?: string;
      };
      return {
        ran: answer.permissionDecision === "allow",
        text: answer.permissionDecisionReason ?? "",
      };
    } catch {
      return { ran: false, text: `the hook answered no JSON: ${stdout}${stderr}` };
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
