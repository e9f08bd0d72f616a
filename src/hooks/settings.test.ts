import { describe, expect, it } from "vitest";
import { isRedlineHook, jsonErrorOffset, lineColumn, parseSettings, withHook } from "./settings.js";

const ENTRY = {
  command:
    "/usr/bin/node /opt/redline/dist/hooks/main.js claude-code --state-dir /home/dev/.redline",
  timeout: 50,
};

/** A settings file as people have them: permissions, other hooks, other events, other keys. */
const EXISTING = {
  $schema: "https://json.schemastore.org/claude-code-settings.json",
  permissions: { allow: ["Bash(npm test)"], deny: ["Read(./.env)"] },
  hooks: {
    PreToolUse: [
      { matcher: "Bash", hooks: [{ type: "command", command: "~/.claude/hooks/log-bash.sh" }] },
    ],
    PostToolUse: [
      { matcher: "Edit|Write", hooks: [{ type: "command", command: "npx prettier --write" }] },
    ],
  },
  env: { FOO: "1" },
};

describe("withHook", () => {
  it("adds the hook under PreToolUse with matcher *, keeping every key and hook", () => {
    const r = withHook("s.json", EXISTING, ENTRY);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.status).toBe("added");
    expect(r.value.settings).toEqual({
      ...EXISTING,
      hooks: {
        ...EXISTING.hooks,
        PreToolUse: [
          ...EXISTING.hooks.PreToolUse,
          { matcher: "*", hooks: [{ type: "command", ...ENTRY }] },
        ],
      },
    });
    expect(EXISTING.hooks.PreToolUse).toHaveLength(1); // the input is not modified
  });

  it("does not add a second one; a changed command or timeout updates it in place", () => {
    const once = withHook("s.json", EXISTING, ENTRY);
    if (!once.ok) throw new Error(once.error);
    const twice = withHook("s.json", once.value.settings, ENTRY);
    expect(twice).toMatchObject({ ok: true, value: { status: "unchanged" } });
    const changed = withHook("s.json", once.value.settings, {
      command: `${ENTRY.command} --wait 5`,
      timeout: 35,
    });
    if (!changed.ok) throw new Error(changed.error);
    expect(changed.value.status).toBe("updated");
    const pre = (changed.value.settings.hooks as { PreToolUse: unknown[] }).PreToolUse;
    expect(pre).toHaveLength(2);
    expect(pre[1]).toEqual({
      matcher: "*",
      hooks: [{ type: "command", command: `${ENTRY.command} --wait 5`, timeout: 35 }],
    });
  });

  it("finds a Redline hook written by hand, under any matcher", () => {
    const settings = {
      hooks: {
        PreToolUse: [
          {
            matcher: "Bash|Write",
            hooks: [{ type: "command", command: "npx redline hook claude-code --ask" }],
          },
        ],
      },
    };
    const r = withHook("s.json", settings, ENTRY);
    if (!r.ok) throw new Error(r.error);
    expect(r.value.status).toBe("updated");
    expect(r.value.settings).toEqual({
      hooks: {
        PreToolUse: [{ matcher: "Bash|Write", hooks: [{ type: "command", ...ENTRY }] }],
      },
    });
  });

  it("starts from an empty file, and refuses hooks it does not understand", () => {
    expect(withHook("s.json", {}, ENTRY)).toMatchObject({
      ok: true,
      value: { status: "added", settings: { hooks: { PreToolUse: [{ matcher: "*" }] } } },
    });
    expect(withHook("s.json", { hooks: [] }, ENTRY)).toEqual({
      ok: false,
      error: 's.json: "hooks" is not an object; not touching it',
    });
    expect(withHook("s.json", { hooks: { PreToolUse: {} } }, ENTRY)).toMatchObject({
      ok: false,
      error: expect.stringContaining('"hooks.PreToolUse" is not an array'),
    });
  });

  it("recognises its own commands only", () => {
    expect(isRedlineHook(ENTRY.command)).toBe(true);
    expect(isRedlineHook("'/x y/node' '/x y/dist/hooks/main.js' claude-code")).toBe(true);
    expect(isRedlineHook("'/x y/node' '/x y/dist/hooks/main.cjs' claude-code")).toBe(true);
    expect(isRedlineHook("redline hook claude-code")).toBe(true);
    expect(isRedlineHook("node bin/redline.js hook claude-code --server http://x")).toBe(true);
    expect(isRedlineHook("~/.claude/hooks/log-bash.sh")).toBe(false);
    expect(isRedlineHook("redline hook claude-codex")).toBe(false);
  });
});

describe("parseSettings", () => {
  it("reads an object; an empty file is {}", () => {
    expect(parseSettings("s.json", '\uFEFF{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseSettings("s.json", "")).toEqual({ ok: true, value: {} });
  });

  it("names the line and column of the first error", () => {
    expect(parseSettings("s.json", '{\n  "a": 1,\n  "b": tru\n}')).toEqual({
      ok: false,
      error: 's.json:3:8: not valid JSON (unexpected "t")',
    });
    expect(parseSettings("s.json", '{\n  "hooks": {},\n}\n')).toEqual({
      ok: false,
      error: 's.json:3:1: not valid JSON (unexpected "}")',
    });
    expect(parseSettings("s.json", '{"hooks": {')).toEqual({
      ok: false,
      error: "s.json:1:12: not valid JSON (unexpected end of file)",
    });
    expect(parseSettings("s.json", "[1]")).toMatchObject({
      ok: false,
      error: expect.stringContaining("expected a JSON object"),
    });
  });

  it("locates errors JSON.parse does not place", () => {
    const cases: [string, number][] = [
      ['{"a":1,}', 7],
      ['{"a" 1}', 5],
      ['{"a":"\\x"}', 7],
      ['{"a":"\\u12g4"}', 10],
      ["[1,2", 4],
      ["-", 0],
      ['{"a":1} x', 8],
      ["nul", 0],
    ];
    for (const [text, at] of cases) expect(jsonErrorOffset(text), text).toBe(at);
    expect(jsonErrorOffset('{"a":[1,-2.5e3,true,false,null,"\\u00e9"]}')).toBeUndefined();
    expect(lineColumn("ab\ncd", 4)).toEqual({ line: 2, column: 2 });
  });
});
