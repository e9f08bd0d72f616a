/**
 * Credentials that must not leave in a request. Data: `secrets.ts` interprets it.
 *
 * Every pattern starts at a boundary (a lookbehind on its own character class, or a literal
 * that cannot repeat inside a match) and bounds its repetitions, so that a scan is linear in
 * the text: `secrets.test.ts` runs each on adversarial input.
 */
export interface SecretPattern {
  id: string;
  /** What a finding calls it. */
  label: string;
  /** Regular expression source; the `g` flag is added, `i` when `ignoreCase`. */
  pattern: string;
  ignoreCase?: boolean;
  /**
   * What a finding shows of the match: `prefix` keeps that many leading characters and the last
   * four (`AKIA…MPLE`); `key` shows the named group `key`, a field name; absent, nothing.
   */
  show?: { prefix: number } | "key";
  /** A match whose named group `value` matches this (case-insensitive) is a placeholder. */
  placeholder?: string;
  /** A whole match that matches this (case-sensitive) is prose, not a credential. */
  prose?: string;
  /** A login credential: sent to a host inside the organisation, it is a login, not a leak. */
  login?: boolean;
  /**
   * Hosts this credential authenticates to (globs). Sent to one of them in a header, the query
   * or an auth parameter, it is the request's own credential, not a leak.
   */
  nativeHosts?: readonly string[];
  /** Counts only within `window` characters of a match of pattern `id` (a secret key near its id). */
  near?: { id: string; window: number };
  /** Also required of the match: at least one lower-case letter, one upper-case and one digit. */
  mixedCase?: boolean;
}

const AWS = ["amazonaws.com", "*.amazonaws.com"];
/** Values that stand for a secret without being one: `""`, `true`, `***`, `<password>`, `${PW}`. */
const PLACEHOLDER =
  "^(?:|true|false|null|none|undefined|\\*+|x+|\\.+|<[^>]*>|\\$\\{?\\w+\\}?|\\{\\{.*|%s|\\?)$";
/** Field names whose value is a password or a client secret. */
const PASSWORD_KEY =
  "(?:[A-Za-z0-9]{1,32}[_-]?)?(?:password|passwd|passphrase|pwd)|client_secret|secret_key|private_key|api_secret";

/** For JSON and form fields, whose names and values come apart. */
export const PASSWORD_FIELD = new RegExp(`^(?:${PASSWORD_KEY})$`, "i");
export const PLACEHOLDER_VALUE = new RegExp(PLACEHOLDER, "i");

export const SECRET_PATTERNS: readonly SecretPattern[] = [
  {
    id: "aws-access-key-id",
    label: "AWS access key",
    pattern: "(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])",
    show: { prefix: 4 },
    nativeHosts: AWS,
  },
  {
    id: "aws-secret-key",
    label: "AWS secret access key",
    pattern:
      "(?<![A-Za-z0-9])(?:aws_?)?secret_?access_?key[\"']?\\s{0,8}[:=]\\s{0,8}[\"']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])",
    ignoreCase: true,
    nativeHosts: AWS,
  },
  {
    id: "aws-secret-key-near-id",
    label: "AWS secret access key",
    pattern: "(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])",
    near: { id: "aws-access-key-id", window: 256 },
    mixedCase: true,
    nativeHosts: AWS,
  },
  {
    id: "openssh-private-key",
    label: "OpenSSH private key",
    pattern: "-----BEGIN OPENSSH PRIVATE KEY-----",
  },
  {
    id: "pem-private-key",
    label: "private key (PEM)",
    pattern: "-----BEGIN (?:RSA |EC |DSA |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----",
  },
  { id: "putty-private-key", label: "PuTTY private key", pattern: "PuTTY-User-Key-File-\\d: " },
  {
    id: "github-token",
    label: "GitHub token",
    pattern: "(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{30,255}(?![A-Za-z0-9])",
    show: { prefix: 4 },
    nativeHosts: ["github.com", "*.github.com", "*.githubusercontent.com"],
  },
  {
    id: "github-pat",
    label: "GitHub token",
    pattern: "(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{22,255}(?![A-Za-z0-9_])",
    show: { prefix: 11 },
    nativeHosts: ["github.com", "*.github.com", "*.githubusercontent.com"],
  },
  {
    id: "gitlab-token",
    label: "GitLab token",
    pattern: "(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20,255}(?![A-Za-z0-9_-])",
    show: { prefix: 6 },
    nativeHosts: ["gitlab.com", "*.gitlab.com"],
  },
  {
    id: "slack-token",
    label: "Slack token",
    pattern: "(?<![A-Za-z0-9-])xox[baprs]-[A-Za-z0-9-]{10,250}(?![A-Za-z0-9-])",
    show: { prefix: 5 },
    nativeHosts: ["slack.com", "*.slack.com"],
  },
  {
    id: "slack-webhook",
    label: "Slack webhook URL",
    pattern:
      "https://hooks\\.slack\\.com/services/T[A-Z0-9]{6,12}/B[A-Z0-9]{6,12}/[A-Za-z0-9]{16,32}",
    nativeHosts: ["hooks.slack.com"],
  },
  {
    id: "stripe-key",
    label: "Stripe secret key",
    pattern: "(?<![A-Za-z0-9_])(?:sk|rk)_live_[A-Za-z0-9]{10,247}(?![A-Za-z0-9])",
    show: { prefix: 8 },
    nativeHosts: ["api.stripe.com", "*.stripe.com"],
  },
  {
    id: "google-api-key",
    label: "Google API key",
    pattern: "(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])",
    show: { prefix: 4 },
    nativeHosts: ["googleapis.com", "*.googleapis.com"],
  },
  {
    id: "openai-key",
    label: "OpenAI API key",
    pattern:
      "(?<![A-Za-z0-9_-])sk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{32,255}(?![A-Za-z0-9_-])",
    show: { prefix: 3 },
    nativeHosts: ["api.openai.com"],
  },
  {
    id: "anthropic-key",
    label: "Anthropic API key",
    pattern: "(?<![A-Za-z0-9_-])sk-ant-[A-Za-z0-9_-]{32,255}(?![A-Za-z0-9_-])",
    show: { prefix: 7 },
    nativeHosts: ["api.anthropic.com"],
  },
  {
    id: "npm-token",
    label: "npm token",
    pattern: "(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])",
    show: { prefix: 4 },
    nativeHosts: ["registry.npmjs.org"],
  },
  {
    id: "sendgrid-key",
    label: "SendGrid API key",
    pattern: "(?<![A-Za-z0-9_.-])SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])",
    show: { prefix: 3 },
    nativeHosts: ["api.sendgrid.com"],
  },
  {
    id: "vault-token",
    label: "Vault token",
    pattern: "(?<![A-Za-z0-9_.-])hv[sbr]\\.[A-Za-z0-9_-]{24,255}(?![A-Za-z0-9_-])",
    show: { prefix: 4 },
  },
  {
    id: "jwt",
    label: "JWT",
    pattern:
      "(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,2048}\\.eyJ[A-Za-z0-9_-]{8,8192}\\.[A-Za-z0-9_-]{0,2048}(?![A-Za-z0-9_-])",
    show: { prefix: 3 },
  },
  {
    id: "url-password",
    label: "URL with a password",
    login: true,
    pattern:
      "(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,20}://[^\\s:/@\"'<>]{1,128}:(?<value>[^\\s/@\"'<>]{1,256})@[A-Za-z0-9.-]{1,253}",
    placeholder: PLACEHOLDER,
  },
  {
    id: "password-field",
    label: "password field",
    pattern: `(?<![A-Za-z0-9])(?<key>${PASSWORD_KEY})["']?\\s{0,8}[:=]\\s{0,8}["']?(?<value>[^\\s"'&,;]{0,256})`,
    ignoreCase: true,
    show: "key",
    placeholder: PLACEHOLDER,
    login: true,
    // "the password: field is empty": a plain word after a plain word and a colon.
    prose: "^[A-Za-z][a-z]*\\s{0,8}:\\s{1,8}[a-z]+$",
  },
];

/** `.env`-style lines whose names say they hold secrets: several in one text is a dump. */
export const ENV_LINE =
  /^(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]{0,63})[ \t]*=[ \t]*(\S[^\n]*)?$/gm;
export const ENV_SECRET_NAME =
  /SECRET|TOKEN|PASSWORD|PASSWD|_PWD$|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL|DSN$|DATABASE_URL|CONN(?:ECTION)?_STRING/i;
export const ENV_DUMP_MIN = 2;

/** Headers that carry the request's own credential to its host. */
export const AUTH_HEADERS: ReadonlySet<string> = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "x-api-key",
  "api-key",
  "x-auth-token",
  "private-token",
  "x-goog-api-key",
  "x-amz-security-token",
  "x-vault-token",
]);

/** Body or query parameters that carry the request's own credential (Slack's `token=`). */
export const AUTH_PARAMS: ReadonlySet<string> = new Set([
  "token",
  "access_token",
  "api_key",
  "apikey",
  "key",
  "auth_token",
]);
