import { readFileSync } from "node:fs";
import canonicalize from "canonicalize";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical.js";

/** The reference is the `canonicalize` package: byte-identical output, the same refusals. */

function reference(v: unknown): { text?: string; error?: boolean } {
  try {
    return { text: canonicalize(v) };
  } catch {
    return { error: true };
  }
}
function ours(v: unknown): { text?: string; error?: boolean } {
  try {
    return { text: canonicalJson(v) };
  } catch {
    return { error: true };
  }
}

// A small deterministic PRNG, so a failure is reproducible.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHARS = [
  "a",
  "Z",
  "0",
  "é",
  "€",
  "\u0000",
  "\n",
  '"',
  "\\",
  "\u2028",
  "😀",
  "\uD83D",
  "\uDE00",
  "ß",
  "\u007f",
  "/",
];
const NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.1,
  1e21,
  1e-7,
  5e-324,
  1.7976931348623157e308,
  123456789.125,
  -3.5,
  2 ** 53,
  Number.NaN,
  Number.POSITIVE_INFINITY,
];
const KEYS = ["a", "b", "10", "9", "", "é", "€", "😀", "\uD83D", "A", "_", "aa", "0", "01"];

function value(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * (depth > 3 ? 5 : 8));
  switch (k) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return NUMBERS[Math.floor(r() * NUMBERS.length)];
    case 3:
    case 4:
      return Array.from(
        { length: Math.floor(r() * 6) },
        () => CHARS[Math.floor(r() * CHARS.length)],
      ).join("");
    case 5:
      return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(r() * 5); i > 0; i--)
        o[KEYS[Math.floor(r() * KEYS.length)] as string] = value(r, depth + 1);
      if (r() < 0.1) o.skipped = undefined;
      return o;
    }
  }
}

describe("canonicalJson", () => {
  it("matches canonicalize on 20,000 random values, refusals included", () => {
    const r = rng(8785);
    let refused = 0;
    for (let i = 0; i < 20_000; i++) {
      const v = value(r, 0);
      const a = ours(v);
      expect(a, JSON.stringify(v)).toEqual(reference(v));
      if (a.error) refused++;
    }
    expect(refused).toBeGreaterThan(100); // the refusal paths were exercised
  });

  it("matches canonicalize on every action of the labelled corpus", () => {
    for (const kind of ["shell", "sql", "http", "mcp"]) {
      const lines = readFileSync(new URL(`../../corpus/${kind}.jsonl`, import.meta.url), "utf8")
        .trim()
        .split("\n");
      for (const line of lines) {
        const v = JSON.parse(line);
        expect(canonicalJson(v)).toBe(canonicalize(v));
      }
    }
  });

  it("sorts by UTF-16 code units, integer-like keys included", () => {
    expect(canonicalJson({ b: 1, a: [true, null], 10: "x", 9: "y", "€": 1, "😀": 2 })).toBe(
      '{"10":"x","9":"y","a":[true,null],"b":1,"€":1,"😀":2}',
    );
    expect(canonicalJson({ d: new Date(0) })).toBe('{"d":"1970-01-01T00:00:00.000Z"}');
  });
});
