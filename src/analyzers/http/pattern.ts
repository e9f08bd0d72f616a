/** Host and path patterns of the catalogue, compiled to anchored regular expressions. */

export interface CompiledPattern {
  regex: RegExp;
  /** Param names, in capture-group order. */
  names: string[];
}

const PARAM = /\{([A-Za-z_][\w-]*)(\+?)\}/g;

/**
 * `separator` is `.` for hosts and `/` for paths: `{x}` stays within one label or segment,
 * `{x+}` spans several. In hosts a whole-label `*` is one or more labels.
 */
export function compilePattern(pattern: string, separator: "." | "/"): CompiledPattern {
  const names: string[] = [];
  const one = separator === "." ? "([^.]+)" : "([^/]+)";
  const parts = separator === "." ? pattern.split(".") : [pattern];
  const source = parts
    .map((part) => {
      if (separator === "." && part === "*") return "[^.]+(?:\\.[^.]+)*";
      let out = "";
      let last = 0;
      for (const m of part.matchAll(PARAM)) {
        out += escapeRegex(part.slice(last, m.index));
        names.push(m[1] as string);
        out += m[2] === "+" ? "(.+)" : one;
        last = m.index + m[0].length;
      }
      return out + escapeRegex(part.slice(last));
    })
    .join("\\.");
  return { regex: new RegExp(`^${source}$`, "i"), names };
}

/** Matches and returns the captured params (decoded), or undefined. */
export function matchPattern(
  compiled: CompiledPattern,
  value: string,
  into: Map<string, string>,
): boolean {
  const m = compiled.regex.exec(value);
  if (!m) return false;
  compiled.names.forEach((name, i) => {
    into.set(name, decode(m[i + 1] ?? ""));
  });
  return true;
}

/** The last two labels of a host or host pattern: the catalogue's index key. */
export function hostKey(host: string): string {
  return host.split(".").slice(-2).join(".");
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Longest value put into a reason or resource: identifiers, not payloads. */
const MAX_VALUE = 100;

/**
 * Fills `{name}` placeholders. `lookup` returns undefined for an unknown name: reasons show `?`,
 * and a resource that cannot be filled is dropped (undefined).
 */
export function renderTemplate(
  template: string,
  lookup: (name: string) => string | undefined,
  kind: "reason" | "resource",
): string | undefined {
  let missing = false;
  const out = template.replace(/\{([^{}]+)\}/g, (_, name: string) => {
    const value = lookup(name);
    if (value === undefined || value === "") {
      missing = true;
      return "?";
    }
    return value.length > MAX_VALUE ? `${value.slice(0, MAX_VALUE)}…` : value;
  });
  return missing && kind === "resource" ? undefined : out;
}
