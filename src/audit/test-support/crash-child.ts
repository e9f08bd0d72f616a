/**
 * Crash-test child: appends under load and prints each seq once its append has resolved
 * (stdout to a pipe is synchronous on Linux, so a printed seq was reported durable before any
 * later kill). Runs until killed. Usage: node --import tsx crash-child.ts STATE_DIR
 */
import { openSqliteStore } from "../../store/sqlite/open.js";
import { decisionInput } from "./inputs.js";

const dir = process.argv[2] as string;
const store = openSqliteStore({ dir, checkpointEvery: 50 });
let i = 0;
process.stdout.write("ready\n");
for (;;) {
  const batch = Array.from({ length: 1 + Math.floor(Math.random() * 64) }, () =>
    store.audit.append(decisionInput(++i)).then((e) => process.stdout.write(`${e.seq}\n`)),
  );
  await Promise.all(batch);
}
