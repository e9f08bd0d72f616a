import { describe, expect, it } from "vitest";
import { DEFAULT_REDACTION, REDACTED, redactAction } from "./redact.js";

describe("redactAction", () => {
  it("replaces secret-named values anywhere below the envelope, and leaves the rest", () => {
    const action = {
      agent: "a",
      kind: "mcp",
      tool: "get_key_info",
      arguments: { path: "/srv", apiKey: "abc", nested: [{ client_secret: "s" }], Cookie: "c" },
      context: { ticket: "T-1" },
    };
    const out = redactAction(action);
    expect(out).toEqual({
      agent: "a",
      kind: "mcp",
      tool: "get_key_info",
      arguments: {
        path: "/srv",
        apiKey: REDACTED,
        nested: [{ client_secret: REDACTED }],
        Cookie: REDACTED,
      },
      context: { ticket: "T-1" },
    });
    expect(action.arguments.apiKey).toBe("abc");
  });

  it("finds secrets by shape inside commands and bodies", () => {
    const out = redactAction({
      agent: "a",
      kind: "shell",
      command:
        "curl -H 'Authorization: Bearer abcdefghijkl' https://u:hunter2@h/x && export AWS=AKIAABCDEFGHIJKLMNOP ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    });
    expect(out.command).toBe(
      "curl -H 'Authorization: [REDACTED:bearer]' https://u:[REDACTED:url-userinfo]@h/x && export AWS=[REDACTED:aws-key] [REDACTED:github-token]",
    );
  });

  it("takes extra rules as data", () => {
    const rules = {
      ...DEFAULT_REDACTION,
      values: [{ name: "ssn", pattern: /\b\d{3}-\d{2}-\d{4}\b/g }],
    };
    expect(
      redactAction({ agent: "a", kind: "sql", statement: "x 123-45-6789" }, rules).statement,
    ).toBe("x [REDACTED:ssn]");
  });
});
