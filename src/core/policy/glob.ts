import picomatch from "picomatch";

/** A compiled set of name or path patterns: literals by hash lookup, globs by picomatch. */
export interface GlobSet {
  patterns: readonly string[];
  /** Literal patterns, used by the rule index. */
  literals: readonly string[];
  hasGlobs: boolean;
  test(value: string): boolean;
}

export function isGlob(pattern: string): boolean {
  return picomatch.scan(pattern).isGlob;
}

export function compileGlobs(
  input: string | readonly string[],
  options: { nocase?: boolean } = {},
): GlobSet {
  const patterns = typeof input === "string" ? [input] : [...input];
  const norm = options.nocase ? (s: string) => s.toLowerCase() : (s: string) => s;
  const literals = patterns.filter((p) => !isGlob(p));
  const literalSet = new Set(literals.map(norm));
  // dot: a `*` must also match hidden names such as `.env` and `.ssh`, or a red line leaks.
  const globs = patterns
    .filter(isGlob)
    .map((p) => picomatch(p, { dot: true, nocase: options.nocase ?? false }));
  return {
    patterns,
    literals,
    hasGlobs: globs.length > 0,
    test(value) {
      if (literalSet.has(norm(value))) return true;
      for (const g of globs) if (g(value)) return true;
      return false;
    },
  };
}
