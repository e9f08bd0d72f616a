import { optValue, optValues } from "../args.js";
import { type Call, type Handler, rest, shown } from "../call.js";
import { hostOf } from "../run.js";

/** Where a client connects: recorded as a host target. */
function host(call: Call): void {
  const h = optValue(call.args, ["-h", "--host"]);
  const name = h?.literal ? hostOf(h.value) : undefined;
  if (name) call.run.out.target("hosts", name);
}

/** SQL a client will run, from its options, its operands or stdin: handed to the SQL analyzer. */
export const sql: Handler = (call) => {
  const { run, spec, stdin } = call;
  host(call);
  const texts = optValues(call.args, spec.sql?.options ?? []);
  if (spec.sql?.operand !== undefined) texts.push(...rest(call).slice(spec.sql.operand));
  for (const t of texts) {
    if (!t.literal) run.out.opaque(`${call.name} runs SQL built at run time: ${shown([t], 1)}`);
    else statement(call, t.value);
  }
  if (texts.length === 0 && stdin.kind === "text") statement(call, stdin.text);
  else if (texts.length === 0 && (stdin.kind === "dynamic" || stdin.kind === "decode"))
    run.out.opaque(`${call.name} runs SQL piped from a command`);
  return { kind: "dynamic", from: call.name };
};

/** sqlite-style dot commands (`.tables`) are client commands, not SQL. */
function statement(call: Call, text: string): void {
  const sqlText = text
    .split("\n")
    .filter((line) => !/^\s*[.\\]/.test(line))
    .join("\n")
    .trim();
  if (sqlText) call.run.sql(sqlText, call.scope);
}

const REDIS_WIPES = /^(flushall|flushdb)$/i;

/** redis-cli FLUSHALL / FLUSHDB, as arguments or piped in. */
export const redis: Handler = (call) => {
  host(call);
  const words = [
    call.args.operands[0]?.value ?? "",
    ...(call.stdin.kind === "text" ? call.stdin.text.split(/\s+/) : []),
  ];
  const wipe = words.find((w) => REDIS_WIPES.test(w));
  if (wipe) call.run.out.add("data.destroy", `redis-cli ${wipe.toUpperCase()} deletes every key`);
  return { kind: "dynamic", from: call.name };
};

const MONGO_RULES: readonly [RegExp, "data.destroy" | "iam.change", string][] = [
  [/\.dropDatabase\s*\(/, "data.destroy", "drops a database"],
  [/\.drop\s*\(\s*\)/, "data.destroy", "drops a collection"],
  [
    /\.(deleteMany|remove)\s*\(\s*(\{\s*\})?\s*[,)]/,
    "data.destroy",
    "deletes every document of a collection",
  ],
  [/\.updateMany\s*\(\s*\{\s*\}/, "data.destroy", "rewrites every document of a collection"],
  [
    /\b(createUser|dropUser|grantRolesToUser|revokeRolesFromUser|updateUser|dropAllUsers)\s*\(/,
    "iam.change",
    "changes database users",
  ],
];

/** mongosh --eval JS (or JS on stdin). */
export const mongo: Handler = (call) => {
  const code = [
    optValue(call.args, "--eval"),
    call.stdin.kind === "text" ? { value: call.stdin.text, literal: true } : undefined,
  ];
  for (const c of code) {
    if (!c) continue;
    if (!c.literal) {
      call.run.out.opaque(`${call.name} runs JavaScript built at run time`);
      continue;
    }
    for (const [re, category, what] of MONGO_RULES)
      if (re.test(c.value)) call.run.out.add(category, `${call.name} ${what}`);
  }
  for (const w of call.args.operands)
    if (w.literal && /^mongodb(\+srv)?:\/\//.test(w.value)) {
      const h = hostOf(w.value);
      if (h) call.run.out.target("hosts", h);
    }
  return { kind: "dynamic", from: call.name };
};
