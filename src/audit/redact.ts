/**
 * Secrets never reach the audit log: the log is read by more people than the agent's
 * credentials should be. Rules are data, so a deployment can add its own patterns.
 */

export interface RedactionRules {
  /** Object keys (headers, env, arguments, context) whose values are replaced whole. */
  keys: RegExp[];
  /** Secret shapes replaced wherever they occur inside any string. */
  values: { name: string; pattern: RegExp }[];
}

export const REDACTED = "[REDACTED]";

export const DEFAULT_REDACTION: RedactionRules = {
  keys: [
    /^(proxy-)?authorization$/i,
    /^(set-)?cookie$/i,
    /token/i,
    /secret/i,
    /key/i,
    /passw(or)?d/i,
    /credential/i,
  ],
  values: [
    { name: "bearer", pattern: /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi },
    { name: "aws-key", pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g },
    { name: "github-token", pattern: /\bgh[pousr]_[A-Za-z0-9]{30,}\b/g },
    { name: "stripe-key", pattern: /\b[sr]k_(live|test)_[A-Za-z0-9]{10,}\b/g },
    { name: "slack-token", pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/g },
    { name: "jwt", pattern: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
    {
      name: "private-key",
      pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
    },
    {
      name: "url-credential",
      pattern: /(?<=[?&][^=&#\s]*(token|secret|key|password|sig)[^=&#\s]*=)[^&#\s]+/gi,
    },
    { name: "url-userinfo", pattern: /(?<=[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)[^@/\s]+(?=@)/gi },
  ],
};

/** The envelope's own fields are never secrets; their names (`kind`, `tool`...) are not keys. */
const ENVELOPE_FIELDS = new Set(["agent", "kind", "environment", "session", "server", "tool"]);

/** Returns a redacted deep copy of the action; the input is not changed. */
export function redactAction(
  action: object,
  rules: RedactionRules = DEFAULT_REDACTION,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(action)) {
    out[k] = ENVELOPE_FIELDS.has(k) ? v : redactDeep(v, rules);
  }
  return out;
}

/** Redacts any JSON value: secret-named keys, secret-shaped strings. */
export function redactValue<T>(value: T, rules: RedactionRules = DEFAULT_REDACTION): T {
  return redactDeep(value, rules) as T;
}

function redactDeep(value: unknown, rules: RedactionRules): unknown {
  if (typeof value === "string") return redactString(value, rules);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, rules));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = rules.keys.some((re) => re.test(k)) ? REDACTED : redactDeep(v, rules);
    }
    return out;
  }
  return value;
}

export function redactString(s: string, rules: RedactionRules = DEFAULT_REDACTION): string {
  let out = s;
  for (const { name, pattern } of rules.values) {
    pattern.lastIndex = 0;
    out = out.replace(pattern, `[REDACTED:${name}]`);
  }
  return out;
}
