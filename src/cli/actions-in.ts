import { createReadStream, openSync } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { type Action, parseAction } from "../core/envelope.js";
import { formatPath } from "../core/errors.js";
import { UsageError } from "./errors.js";

/** Actions as JSON Lines from a file or standard input: each line parsed, or why it could not be. */
export async function* readActions(
  file: string | undefined,
  stdin: Readable,
): AsyncGenerator<{ lineNo: number; action: Action } | { lineNo: number; error: string }> {
  const input = file ? openInput(file) : stdin;
  let lineNo = 0;
  for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    lineNo++;
    if (line.trim() === "") continue;
    yield { lineNo, ...parseLine(line, lineNo) };
  }
}

function parseLine(line: string, lineNo: number): { action: Action } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { error: `line ${lineNo}: not JSON: ${(error as Error).message}` };
  }
  const parsed = parseAction(value);
  if (parsed.ok) return { action: parsed.action };
  return {
    error: `line ${lineNo}: invalid action: ${parsed.errors.map((e) => `${formatPath(e.path)}: ${e.message}`).join("; ")}`,
  };
}

function openInput(file: string): Readable {
  try {
    return createReadStream("", { fd: openSync(file, "r") });
  } catch (error) {
    throw new UsageError(
      `cannot read --input ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}
