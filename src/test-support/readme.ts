/**
 * The README as a test script. Conventions (HTML comments are invisible when rendered):
 * - ```sh blocks run in order, in one bash script, in a fresh directory;
 * - ```console blocks: each `$ command` runs, and the lines under it are its expected output,
 *   where `...` matches anything;
 * - `<!-- file: NAME -->` before a block writes the block to NAME instead of running it;
 * - `<!-- docs-test: ci -->` before a block: commands that `.ci/run` runs on a clean clone;
 * - `<!-- docs-test: mcp-config -->` before a ```json block: each of its `mcpServers` is added
 *   with `claude mcp add-json` (the docs test's claude connects and lists the tools);
 * - `rlb_...`, `rla_...`, `apr_...` in a command stand for the last such value printed before
 *   (or, failing that, held in an exported variable).
 */

export interface Block {
  lang: string;
  text: string;
  /** 1-based line of the block's first content line. */
  line: number;
  mark?: string;
}

export function readmeBlocks(markdown: string): Block[] {
  const lines = markdown.split("\n");
  const blocks: Block[] = [];
  let mark: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as string;
    const m = /^<!-- (?:docs-test: )?(.+?) -->$/.exec(l);
    if (m) {
      mark = m[1];
      continue;
    }
    const fence = /^```(\w*)\s*$/.exec(l);
    if (!fence) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end] !== "```") end++;
    blocks.push({
      lang: fence[1] ?? "",
      text: lines.slice(start, end).join("\n"),
      line: start + 1,
      ...(mark ? { mark } : {}),
    });
    mark = undefined;
    i = end;
  }
  return blocks;
}

/** Logical commands of a shell block: continuation lines joined, comments and blanks dropped. */
export function commandsOf(block: Block): { line: number; command: string }[] {
  const out: { line: number; command: string }[] = [];
  const lines = block.text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const first = i;
    let command = lines[i] as string;
    while (command.endsWith("\\") && i + 1 < lines.length)
      command = `${command.slice(0, -1)}${lines[++i]}`;
    if (command.trim() === "" || command.trim().startsWith("#")) continue;
    out.push({ line: block.line + first, command: command.replace(/\s+/g, " ").trim() });
  }
  return out;
}

export interface ConsoleCase {
  line: number;
  command: string;
  expected: string[];
  file: string;
}

const PLACEHOLDER = /\b(rlb|rla|apr)_\.\.\./g;
const withPlaceholders = (command: string) =>
  command.replace(PLACEHOLDER, (_m, prefix: string) => `$(__last ${prefix}_)`);

/**
 * One bash script for the whole README; the console cases it checks afterwards. `out` is the
 * file the script's stdout goes to (placeholders are looked up there).
 */
export function readmeScript(
  blocks: Block[],
  out: string,
): { script: string; cases: ConsoleCase[] } {
  const s: string[] = [
    "set -euo pipefail",
    `__last() { { env; cat ${JSON.stringify(out)}; } | grep -oE "$1[A-Za-z0-9_.-]+" | tail -n 1; }`,
    `trap 'echo "README.md:$__line: exit $?" >&2' ERR`,
    "trap 'kill $(jobs -p) 2>/dev/null || true; wait' EXIT",
  ];
  const cases: ConsoleCase[] = [];
  for (const b of blocks) {
    if (b.mark === "ci" || b.mark === "scripts") continue;
    const file = b.mark?.startsWith("file: ") ? b.mark.slice(6) : undefined;
    if (file) {
      s.push(`cat > ${JSON.stringify(file)} <<'__README__'`, b.text, "__README__");
    } else if (b.mark === "mcp-config") {
      const config = JSON.parse(b.text) as { mcpServers: Record<string, unknown> };
      for (const [name, server] of Object.entries(config.mcpServers)) {
        // Its paths and secret are the README reader's; here, this directory and the one just made.
        const json = JSON.stringify(server)
          .replaceAll("/home/me/project", "$" + "{PWD}") // expanded by bash
          .replace(PLACEHOLDER, (_m, p: string) => `$(__last ${p}_)`);
        s.push(
          `__line=${b.line}`,
          `claude mcp add-json ${name} "$(cat <<__README__\n${json}\n__README__\n)"`,
        );
      }
    } else if (b.lang === "sh") {
      for (const c of commandsOf(b)) s.push(`__line=${c.line}`, withPlaceholders(c.command));
    } else if (b.lang === "console") {
      const lines = b.text.split("\n");
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i] as string;
        if (!l.startsWith("$ ")) continue;
        const expected: string[] = [];
        while (i + 1 < lines.length && !(lines[i + 1] as string).startsWith("$ "))
          expected.push(lines[++i] as string);
        const c: ConsoleCase = {
          line: b.line + i - expected.length,
          command: l.slice(2),
          expected,
          file: `console-${cases.length}.out`,
        };
        cases.push(c);
        s.push(`__line=${c.line}`, `${withPlaceholders(c.command)} > ${c.file}`, `cat ${c.file}`);
      }
    }
  }
  return { script: `${s.join("\n")}\n`, cases };
}

/** A line of expected output, `...` matching anything. */
export function matchesLine(expected: string, actual: string): boolean {
  const re = expected
    .split("...")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${re}$`, "s").test(actual);
}
