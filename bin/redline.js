#!/usr/bin/env node
// The hook runs once per tool call: it skips the CLI's imports (commander, every command).
if (process.argv[2] === "hook" && process.argv[3] === "claude-code") {
  process.argv.splice(2, 1); // the hook's entry reads `claude-code [options]`
  await import("../dist/hooks/main.js");
} else {
  // `redline ... | head`: a reader that has had enough is not an error.
  process.stdout.on("error", (e) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  const { main } = await import("../dist/cli/main.js");
  process.exitCode = await main(process.argv);
}
