import { expect, it } from "vitest";
import { categories, reasons, run } from "./run.js";

export const FORM = { "content-type": "application/x-www-form-urlencoded" };

export const amzTarget = (target: string) => ({
  "x-amz-target": target,
  "content-type": "application/x-amz-json-1.1",
});

/** One row of a catalogue table: a request, the exact categories, optionally what it says. */
export interface Row {
  r: string;
  body?: unknown;
  headers?: Record<string, string>;
  cats: string[];
  reason?: string;
  resource?: string;
}

export function check(rows: Row[]): void {
  it.each(rows)("$r → $cats", (row) => {
    const facts = run(row.r, { body: row.body, headers: row.headers });
    expect(categories(facts)).toEqual([...row.cats].sort());
    if (row.reason) expect(reasons(facts)).toContain(row.reason);
    if (row.resource) expect(facts.targets.resources).toContain(row.resource);
  });
}
