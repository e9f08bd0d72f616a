import type { CategoryId } from "../catalogue.js";
import type { ActionKind } from "../envelope.js";
import type { CompiledRule, KindBucket, RuleIndex } from "./model.js";

/**
 * Buckets one agent's rules so a decision visits only rules that can match: category rules
 * under each category, the rest under their kinds (or "any kind") and then under each literal
 * tool name. A rule with a tool glob stays in the bucket's `other` list.
 */
export function buildIndex(rules: readonly CompiledRule[]): RuleIndex {
  const byCategory = new Map<CategoryId, CompiledRule[]>();
  const byKind = new Map<ActionKind, MutableBucket>();
  const anyKind = bucket();
  for (const rule of rules) {
    if (rule.categories) {
      for (const c of new Set(rule.categories)) push(byCategory, c, rule);
      continue;
    }
    const buckets = rule.kinds ? [...rule.kinds].map((k) => getOrCreate(byKind, k)) : [anyKind];
    for (const b of buckets) {
      if (rule.tool && !rule.tool.hasGlobs)
        for (const name of new Set(rule.tool.literals)) push(b.byTool, name, rule);
      else b.other.push(rule);
    }
  }
  return { byCategory, byKind, anyKind };
}

interface MutableBucket extends KindBucket {
  byTool: Map<string, CompiledRule[]>;
  other: CompiledRule[];
}

function bucket(): MutableBucket {
  return { byTool: new Map(), other: [] };
}

function getOrCreate(map: Map<ActionKind, MutableBucket>, kind: ActionKind): MutableBucket {
  const existing = map.get(kind);
  if (existing) return existing;
  const created = bucket();
  map.set(kind, created);
  return created;
}

function push<K>(map: Map<K, CompiledRule[]>, key: K, rule: CompiledRule): void {
  const list = map.get(key);
  if (list) list.push(rule);
  else map.set(key, [rule]);
}
