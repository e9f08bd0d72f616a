import { Command, CommanderError, Option } from "commander";
import { runAnalyze } from "./analyze.js";
import { registerApprovalCommands } from "./approvals.js";
import { registerAuditCommands } from "./audit.js";
import { runCheck } from "./check.js";
import { registerDemoCommand } from "./demo.js";
import { UsageError } from "./errors.js";
import { runEval } from "./eval.js";
import { registerHookCommands } from "./hook.js";
import { registerIdentityCommands } from "./identity.js";
import { registerMcpCommand } from "./mcp-command.js";
import { registerServeCommand } from "./serve.js";
import { runTest } from "./test.js";
import { loadPrecompiledValidators } from "./validators.js";

/** The CLI's composition root: one subcommand, one runner, each given its streams. */
export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command("redline")
    .description("Deterministic, audited red lines for AI agents, enforced outside the agent.")
    .version("0.1.0")
    .showHelpAfterError()
    .exitOverride();

  program
    .command("eval")
    .description(
      "Decide actions: JSON Lines of action envelopes in, one JSON decision per line out",
    )
    .option("-p, --policy <file...>", "policy YAML file(s); default: the shipped baseline")
    .option("-i, --input <file>", "read actions from FILE instead of standard input")
    .option("--record", "write each decision to the audit log, durably, before printing it")
    .option(
      "--state-dir <dir>",
      "with --record: state directory (default: $REDLINE_STATE_DIR, else ./.redline)",
    )
    .addOption(
      new Option(
        "--durability <level>",
        "with --record: crash (survives a crash of Redline) or fsync (survives power loss)",
      )
        .choices(["crash", "fsync"])
        .default("crash"),
    )
    .addHelpText(
      "after",
      `
With --record, each line also has "auditSeq", and a decision whose audit entry cannot be
written becomes a deny (fail closed).
Each output line has at least {"decision","categories","rules","reason"}.
Exit codes: 0 all lines decided, 2 invalid policy or an invalid input line (it still gets a deny line).

Example:
  echo '{"agent":"bot","kind":"mcp","server":"fs","tool":"read_file"}' | redline eval`,
    )
    .action(async (opts) =>
      setExit(await runEval(opts, process.stdin, process.stdout, process.stderr)),
    );

  program
    .command("analyze")
    .description(
      "Show what actions really do: JSON Lines of actions in, their facts (categories, targets, flags) out",
    )
    .option(
      "-p, --policy <file...>",
      "policy file(s) whose `analysis:` settings apply; default: the baseline",
    )
    .option("-i, --input <file>", "read actions from FILE instead of standard input")
    .addHelpText(
      "after",
      `
Each output line: {"categories","flags","targets","findings","actionHash"}; an invalid line gets {"error"}.
Exit codes: 0 all lines analysed, 2 invalid policy or an invalid input line.

Example:
  echo '{"agent":"bot","kind":"shell","command":"sudo rm -rf /srv/data"}' | redline analyze`,
    )
    .action(async (opts) =>
      setExit(await runAnalyze(opts, process.stdin, process.stdout, process.stderr)),
    );

  program
    .command("check")
    .description(
      "Validate and lint policy files: schema, unknown fields, dead and shadowed rules, uncovered red lines",
    )
    .argument("<file...>", "policy YAML files, read together as one policy")
    .option("--json", "print findings as JSON")
    .addHelpText("after", "\nExit codes: 0 clean, 1 findings, 2 invalid policy.")
    .action((files: string[], opts) => setExit(runCheck(files, opts, process.stdout)));

  program
    .command("test")
    .description("Run policy test cases (YAML: action + expected decision), like `opa test`")
    .argument("<file...>", "test case YAML files")
    .option(
      "-p, --policy <file...>",
      "policy file(s) to test, overriding each test file's `policy:`",
    )
    .option("--json", "print results as JSON")
    .addOption(new Option("-v, --verbose", "print passing cases too"))
    .addHelpText(
      "after",
      "\nExit codes: 0 all passed, 1 a case failed, 2 invalid test or policy file.",
    )
    .action(async (files: string[], opts) => setExit(await runTest(files, opts, process.stdout)));

  registerMcpCommand(program, setExit);
  registerApprovalCommands(program, setExit);
  registerServeCommand(program, setExit);
  registerAuditCommands(program, setExit);
  registerIdentityCommands(program, setExit);
  registerHookCommands(program, setExit);
  registerDemoCommand(program, setExit);

  return program;
}

export async function main(argv: string[]): Promise<number> {
  loadPrecompiledValidators();
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError) {
      process.stderr.write(`redline: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(
      `redline: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 70;
  }
  return code;
}
