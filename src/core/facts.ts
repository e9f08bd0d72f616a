import type { CategoryId } from "./catalogue.js";
import type { Action } from "./envelope.js";

/** What analyzers derive from an action. Rules match on these; humans read the findings. */
export interface Targets {
  paths: string[];
  tables: string[];
  hosts: string[];
  resources: string[];
}
export type TargetKind = keyof Targets;
export const TARGET_KINDS: readonly TargetKind[] = ["paths", "tables", "hosts", "resources"];

export interface Finding {
  category: CategoryId;
  /** Why, for the human reading the decision: "recursive rm of /srv/data". */
  reason: string;
}

export interface Facts {
  /** Catalogue categories the action crosses; `opaque` when its effect cannot be known. */
  categories: CategoryId[];
  /** Analyzer flags such as `recursive`, `unbounded`. */
  flags: string[];
  targets: Targets;
  findings: Finding[];
}

export function emptyFacts(): Facts {
  return {
    categories: [],
    flags: [],
    targets: { paths: [], tables: [], hosts: [], resources: [] },
    findings: [],
  };
}

export function opaqueFacts(reason: string): Facts {
  const facts = emptyFacts();
  facts.categories.push("opaque");
  facts.findings.push({ category: "opaque", reason });
  return facts;
}

/** Unions several facts: categories, flags and targets deduplicated, in first-seen order. */
export function mergeFacts(...all: Facts[]): Facts {
  const out = new FactsBuilder();
  for (const f of all) out.merge(f);
  return out.build();
}

/** Accumulates facts while an analyzer walks an action. */
export class FactsBuilder {
  private readonly categories = new Set<CategoryId>();
  private readonly flags = new Set<string>();
  private readonly targets = {
    paths: new Set<string>(),
    tables: new Set<string>(),
    hosts: new Set<string>(),
    resources: new Set<string>(),
  };
  private readonly findings: Finding[] = [];

  /** Records that the action crosses a category, and why (shown to humans). */
  add(category: CategoryId, reason: string): this {
    this.categories.add(category);
    if (!this.findings.some((f) => f.category === category && f.reason === reason))
      this.findings.push({ category, reason });
    return this;
  }

  flag(flag: string): this {
    this.flags.add(flag);
    return this;
  }

  target(kind: TargetKind, value: string): this {
    this.targets[kind].add(value);
    return this;
  }

  opaque(reason: string): this {
    return this.add("opaque", reason);
  }

  merge(f: Facts): this {
    for (const x of f.findings) this.add(x.category, x.reason);
    for (const c of f.categories) this.categories.add(c);
    for (const x of f.flags) this.flags.add(x);
    for (const k of TARGET_KINDS) for (const v of f.targets[k]) this.targets[k].add(v);
    return this;
  }

  build(): Facts {
    return {
      categories: [...this.categories],
      flags: [...this.flags],
      targets: {
        paths: [...this.targets.paths],
        tables: [...this.targets.tables],
        hosts: [...this.targets.hosts],
        resources: [...this.targets.resources],
      },
      findings: [...this.findings],
    };
  }
}

/** An analyzer is pure and synchronous: action in, facts out. */
export type Analyzer = (action: Action) => Facts;

/**
 * Runs an analyzer so that a failure can never turn into an allow: whatever it throws, or a
 * result that is not well-formed facts, becomes `opaque` with the cause in the finding.
 */
export function analyzeSafely(analyzer: Analyzer, action: Action): Facts {
  try {
    const facts = analyzer(action);
    if (!isFacts(facts)) return opaqueFacts("analyzer returned malformed facts");
    return facts;
  } catch (error) {
    return opaqueFacts(
      `analyzer failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function isFacts(value: unknown): value is Facts {
  const f = value as Facts | null;
  return (
    f !== null &&
    typeof f === "object" &&
    Array.isArray(f.categories) &&
    Array.isArray(f.flags) &&
    Array.isArray(f.findings) &&
    f.targets !== null &&
    typeof f.targets === "object" &&
    Array.isArray(f.targets.paths) &&
    Array.isArray(f.targets.tables) &&
    Array.isArray(f.targets.hosts) &&
    Array.isArray(f.targets.resources)
  );
}
