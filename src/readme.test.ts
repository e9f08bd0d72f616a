import { spawnSync } from "node:child_process";
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, FS_SERVER, ROOT, testRoot } from "./mcp/test-support/harness.js";
import { commandsOf, matchesLine, readmeBlocks, readmeScript } from "./test-support/readme.js";

/**
 * The README's commands, run as a newcomer would type them (conventions: test-support/readme.ts).
 * `npx redline` is this checkout's CLI, `npx -y @modelcontextprotocol/server-filesystem` the
 * installed server (no download), and `claude` a stand-in that connects to what it is given.
 */

const blocks = readmeBlocks(readFileSync(join(ROOT, "README.md"), "utf8"));
const marked = (mark: string) => blocks.filter((b) => b.mark === mark);

describe("README", () => {
  it("set-up: the commands are the ones CI runs on a clean clone", () => {
    const ci = readFileSync(join(ROOT, ".ci/run"), "utf8")
      .split("\n")
      .map((l) => l.trim());
    const commands = marked("ci").flatMap((b) =>
      commandsOf(b).flatMap((c) => c.command.replace(/\s+#.*$/, "").split(" && ")),
    );
    expect(commands).toEqual(["npm install", "npx redline demo", "npm test"]);
    for (const c of commands) {
      // A clean clone installs exactly the lock file: `npm ci` is `npm install` for CI.
      const want = c === "npm install" ? "npm ci" : c;
      expect(
        ci.some((l) => l === want || l.startsWith(`${want} `)),
        `${c} in .ci/run`,
      ).toBe(true);
    }
  });

  it("development: every npm script it names exists", () => {
    const scripts = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts as Record<
      string,
      string
    >;
    const named = marked("scripts").flatMap((b) =>
      commandsOf(b).map((c) => /^npm run (\S+)/.exec(c.command)?.[1] ?? c.command),
    );
    expect(named.length).toBeGreaterThan(3);
    for (const n of named) expect(Object.keys(scripts), n).toContain(n);
  });

  it("the demo's excerpt is what redline demo --yes prints", () => {
    const r = spawnSync(process.execPath, [BIN, "demo", "--yes"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const printed = r.stdout.split("\n").map((l) => l.trimEnd());
    for (const b of marked("demo-output"))
      for (const l of b.text.split("\n"))
        if (l !== "...")
          expect(
            printed.some((p) => matchesLine(l.trimEnd(), p)),
            l,
          ).toBe(true);
  }, 120_000);

  it("every guide runs as written, and each console example prints what it shows", async () => {
    // The README's commands name their ports, as a reader's would.
    for (const port of [7878, 8080])
      expect(await canListen(port), `port ${port} is in use: the README's commands need it`).toBe(
        true,
      );
    const dir = testRoot();
    const shims = join(dir, ".bin");
    mkdirSync(shims);
    mkdirSync(join(dir, "home"));
    const shim = (name: string, text: string) => {
      writeFileSync(join(shims, name), text);
      chmodSync(join(shims, name), 0o755);
    };
    shim(
      "npx",
      `#!/usr/bin/env bash
[ "$1" = "-y" ] && shift
case "$1" in
  redline) shift; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@" ;;
  @modelcontextprotocol/server-filesystem) shift; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(FS_SERVER)} "$@" ;;
  *) echo "docs test: npx $1 is not available here" >&2; exit 127 ;;
esac
`,
    );
    shim(
      "claude",
      `#!/usr/bin/env bash\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(ROOT, "src/test-support/claude.mjs"))} "$@"\n`,
    );
    const outFile = join(dir, "stdout.txt");
    const { script, cases } = readmeScript(blocks, outFile);
    writeFileSync(join(dir, "readme.sh"), script);
    const out = openSync(outFile, "w");
    const r = spawnSync("bash", ["readme.sh"], {
      cwd: dir,
      stdio: ["ignore", out, "pipe"],
      encoding: "utf8",
      timeout: 240_000,
      env: { ...readerEnv(), PATH: `${shims}:${process.env.PATH}`, HOME: join(dir, "home") },
    });
    closeSync(out);
    const stdout = readFileSync(outFile, "utf8");
    expect(r.status, `${r.stderr}\n--- stdout ---\n${stdout}`).toBe(0);

    expect(cases.length).toBeGreaterThanOrEqual(5);
    for (const c of cases) {
      const actual = readFileSync(join(dir, c.file), "utf8").trimEnd().split("\n");
      expect(actual.length, `README.md:${c.line}: ${c.command}`).toBe(c.expected.length);
      for (const [i, e] of c.expected.entries())
        expect(
          matchesLine(e, actual[i] ?? ""),
          `README.md:${c.line}: expected\n${e}\ngot\n${actual[i]}`,
        ).toBe(true);
    }
    // What the guides say happened, did.
    // Claude Code's `claude mcp add` and Claude Desktop's config, both through the gateway.
    expect(stdout.match(/Added MCP server filesystem: \d+ tools/g)).toHaveLength(2);
    expect(stdout).toMatch(/Added MCP server filesystem-http: \d+ tools/);
    expect(stdout).toMatch(/"decision":"approval"/);
    expect(stdout).toMatch(/apr_\w+ .*granted/);
  }, 300_000);
});

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

/** The reader's environment has none of Redline's own variables set. */
function readerEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("REDLINE_")));
}
