import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseHookArgs } from "./options.js";
import { type HookIo, readAll, runHook, tokenSubject } from "./run.js";

/** The runner in this process: what no child process can show (the clock, a broken stdin). */
function io(stdin: PassThrough) {
  const out: string[] = [];
  const exits: number[] = [];
  const io: HookIo = {
    stdin,
    stdout: (t) => out.push(t),
    stderr: () => undefined,
    env: { HOME: "/home/dev" },
    exit: (code) => exits.push(code),
  };
  return { io, out, exits };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("runHook", () => {
  it("answers a deny at the deadline when nothing else did, then ends the process", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const stdin = new PassThrough(); // Claude Code never closes it
    const t = io(stdin);
    const done = runHook("claude-code", ["--wait", "0"], t.io);
    await vi.advanceTimersByTimeAsync(20_001);
    expect(t.exits).toEqual([0]);
    expect(t.out).toHaveLength(1);
    expect(JSON.parse(t.out[0] as string)).toEqual({
      hookSpecificOutput: {
        hookEventName: "PreToolUse",
        permissionDecision: "deny",
        permissionDecisionReason:
          "Redline could not decide this call, so it is denied: no decision within 20 s",
      },
    });
    stdin.end("not json");
    expect(await done).toBe(0);
    expect(t.out).toHaveLength(1); // answered once
  });

  it("turns a failing stdin into a deny naming the error", async () => {
    const stdin = new PassThrough();
    const t = io(stdin);
    const done = runHook("claude-code", [], t.io);
    stdin.destroy(new Error("EIO: i/o error, read"));
    expect(await done).toBe(0);
    expect(JSON.parse(t.out[0] as string).hookSpecificOutput).toMatchObject({
      permissionDecision: "deny",
      permissionDecisionReason: expect.stringContaining("internal error (EIO: i/o error, read)"),
    });
  });

  it("refuses a terminal as input", async () => {
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const t = io(stdin);
    await runHook("claude-code", [], t.io);
    expect(t.out[0]).toContain("no PreToolUse JSON on standard input (it is a terminal)");
  });

  it("reads at most so much input", async () => {
    const s = new PassThrough();
    s.end(Buffer.alloc(10));
    expect(await readAll(s, 5)).toBeUndefined();
  });
});

describe("the hook's flags", () => {
  it("takes --policy a b as commander does, and refuses stray words", () => {
    expect(parseHookArgs(["--policy", "a.yaml", "b.yaml", "--ask"])).toMatchObject({
      ok: true,
      value: { policy: ["a.yaml", "b.yaml"], ask: true, wait: 20 },
    });
    expect(parseHookArgs(["--ask", "x"])).toEqual({ ok: false, error: "unexpected argument 'x'" });
  });

  it("checks values and combinations", () => {
    expect(parseHookArgs(["--wait", "601"])).toMatchObject({ ok: false });
    expect(parseHookArgs(["--timeout", "2"])).toEqual({
      ok: false,
      error: "--timeout needs --server",
    });
    expect(parseHookArgs(["--server", "ftp://x"])).toMatchObject({
      ok: false,
      error: expect.stringContaining("expected an http:// or https:// URL"),
    });
    expect(parseHookArgs(["--durability", "fast"])).toMatchObject({ ok: false });
  });
});

describe("tokenSubject", () => {
  it("reads the agent from a JWT without trusting it", () => {
    const payload = Buffer.from(JSON.stringify({ sub: "ops-bot" })).toString("base64url");
    expect(tokenSubject(`h.${payload}.s`)).toBe("ops-bot");
    expect(tokenSubject("garbage")).toBeUndefined();
    expect(tokenSubject("a.!!!.c")).toBeUndefined();
    expect(tokenSubject(undefined)).toBeUndefined();
  });
});
