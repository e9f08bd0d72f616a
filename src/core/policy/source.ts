import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
} from "yaml";
import { formatPath, type Path } from "../errors.js";

/** A policy file's text, as the adapter read it. The core does no I/O. */
export interface PolicySource {
  file: string;
  text: string;
}

export interface Location {
  file: string;
  line: number;
  column: number;
}

/** A problem in a policy, placed at file:line:column. */
export interface PolicyError extends Location {
  path: string;
  message: string;
}

export function formatLocation(l: Location): string {
  return `${l.file}:${l.line}:${l.column}`;
}

export function formatPolicyError(e: PolicyError): string {
  return `${formatLocation(e)}: ${e.path === "(root)" ? "" : `${e.path}: `}${e.message}`;
}

/** One parsed YAML document with a way back from a field path to its place in the file. */
export interface ParsedDocument {
  file: string;
  value: unknown;
  locate(path: Path): Location;
}

export function parseSources(sources: readonly PolicySource[]): {
  documents: ParsedDocument[];
  errors: PolicyError[];
} {
  const documents: ParsedDocument[] = [];
  const errors: PolicyError[] = [];
  for (const { file, text } of sources) {
    const lineCounter = new LineCounter();
    const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    const list = Array.isArray(docs) ? docs : [];
    if (list.length === 0 || list.every((d) => d.contents === null)) {
      errors.push({
        file,
        line: 1,
        column: 1,
        path: "(root)",
        message: "the file holds no policy document",
      });
      continue;
    }
    for (const doc of list) {
      const problems = [...doc.errors];
      for (const e of problems) {
        const at = lineCounter.linePos(e.pos[0]);
        errors.push({
          file,
          line: at.line,
          column: at.col,
          path: "(root)",
          message: `YAML: ${firstLine(e.message)}`,
        });
      }
      if (problems.length > 0 || doc.contents === null) continue;
      documents.push({
        file,
        value: doc.toJS({ maxAliasCount: 100 }),
        locate: (path) => {
          const at = lineCounter.linePos(offsetOf(doc, path));
          return { file, line: at.line, column: at.col };
        },
      });
    }
  }
  return { documents, errors };
}

export function errorAt(doc: ParsedDocument, path: Path, message: string): PolicyError {
  return { ...doc.locate(path), path: formatPath(path), message };
}

/** Offset of the deepest node on the path that exists: a missing field points at its parent. */
function offsetOf(doc: Document, path: Path): number {
  let node: unknown = doc.contents;
  let offset = (node as Node | null)?.range?.[0] ?? 0;
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(part));
      if (!pair) break;
      const key = pair.key as Node;
      const value = pair.value as Node | null;
      offset = value?.range?.[0] ?? key.range?.[0] ?? offset;
      node = value;
    } else if (isSeq(node) && typeof part === "number") {
      const item = node.items[part] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset;
}

function firstLine(s: string): string {
  return s.split("\n")[0] ?? s;
}
