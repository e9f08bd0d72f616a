import type { ChildProcess } from "node:child_process";

/* Apart from harness.ts (which registers vitest hooks): the benchmarks use it too. */

const stderrs = new WeakMap<ChildProcess, string>();
/** What a child started through `listening` wrote on stderr so far. */
export function stderrOf(child: ChildProcess): string {
  return stderrs.get(child) ?? "";
}

/** Resolves with the URL a `redline mcp|serve` child says it listens on (stderr). */
export function listening(child: ChildProcess, what: string): Promise<URL> {
  return new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${what} did not start: ${stderrOf(child)}`)),
      20_000,
    );
    child.stderr?.on("data", (d: Buffer) => {
      const err = stderrOf(child) + d.toString();
      stderrs.set(child, err);
      const m = /listening (http:\/\/\S+)/.exec(err);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(new URL(m[1]));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}: ${stderrOf(child)}`));
    });
  });
}
