/**
 * Race-test child: opens the store, prints "ready", waits for a line on stdin, then does one
 * approval operation and prints its result as JSON. Usage:
 *   node --import tsx race-child.ts STATE_DIR consume ID HASH NOW
 *   node --import tsx race-child.ts STATE_DIR vote ID APPROVER NOW
 */
import { createInterface } from "node:readline";
import { openSqliteStore } from "../../store/sqlite/open.js";

const [dir, op, id, arg, now] = process.argv.slice(2) as [string, string, string, string, string];
const store = openSqliteStore({ dir, busyTimeoutMs: 10_000 });
// Prepare before the start signal, so the race is the transactions, not the start-up.
await store.approvals.get(id);
process.stdout.write("ready\n");
const lines = createInterface({ input: process.stdin });
for await (const _ of lines) break;
const result =
  op === "consume"
    ? await store.approvals.consume(id, arg, Number(now))
    : await store.approvals.vote(id, { approver: arg, verdict: "approve" }, Number(now));
process.stdout.write(`${JSON.stringify(result)}\n`);
await store.close();
process.exit(0);
