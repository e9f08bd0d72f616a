import type { NotifyEventType } from "./events.js";

export const WEBHOOK_FORMATS = ["json", "slack"] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export interface WebhookConfig {
  url: string;
  format: WebhookFormat;
  /** Signs every delivery when set (see signature.ts). */
  secret?: string;
  /** The event types this webhook receives; all of them when absent. */
  events?: NotifyEventType[];
}

export interface WebhookFlagOptions {
  /** The flag, for messages. Default `--webhook`. */
  flag?: string;
  /** The name of the environment variable that holds the signing secret, if any. */
  secretEnv?: string;
  /** The flag that named `secretEnv`, for messages. Default `--webhook-secret-env`. */
  secretFlag?: string;
  env?: Record<string, string | undefined>;
}

export type WebhookFlagResult = { ok: true; webhook: WebhookConfig } | { ok: false; error: string };

/**
 * Parses a `--webhook` value: `URL` or `FORMAT=URL` (`json=`, `slack=`). A bare URL on
 * hooks.slack.com is taken as `slack`, since generic JSON there only earns a 400. The secret
 * comes from an environment variable, never the command line, where `ps` and shell history
 * would show it.
 */
export function parseWebhookFlag(
  value: string,
  options: WebhookFlagOptions = {},
): WebhookFlagResult {
  const flag = options.flag ?? "--webhook";
  const fail = (why: string): WebhookFlagResult => ({
    ok: false,
    error: `${flag} '${shown(value)}': ${why}`,
  });
  const prefixed = /^([A-Za-z][\w-]*)=(.*)$/s.exec(value.trim());
  const format = prefixed?.[1]?.toLowerCase();
  const rawUrl = prefixed ? (prefixed[2] ?? "") : value.trim();
  if (format !== undefined && !(WEBHOOK_FORMATS as readonly string[]).includes(format))
    return fail(`unknown format '${prefixed?.[1]}': use json=URL, slack=URL or a bare URL`);
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return fail("not a URL: expected https://host/path, optionally after json= or slack=");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return fail(`the scheme is ${url.protocol.slice(0, -1)}: a webhook URL is http or https`);
  if (url.username || url.password)
    return fail("the URL has user:password@: webhooks are authenticated by their signature");
  const webhook: WebhookConfig = {
    url: url.href,
    format:
      (format as WebhookFormat | undefined) ??
      (url.hostname === "hooks.slack.com" ? "slack" : "json"),
  };
  if (options.secretEnv !== undefined) {
    const secretFlag = options.secretFlag ?? "--webhook-secret-env";
    const secret = (options.env ?? process.env)[options.secretEnv];
    if (!secret)
      return {
        ok: false,
        error: `${secretFlag} ${options.secretEnv}: the environment variable is not set or empty`,
      };
    webhook.secret = secret;
  }
  return { ok: true, webhook };
}

/**
 * A webhook URL for messages and logs. Many URLs are credentials in themselves (a Slack
 * incoming-webhook path is), so only the scheme and host are shown.
 */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === "/" && !u.search ? "/" : "/…"}`;
  } catch {
    return "(invalid URL)";
  }
}

/** The flag value for an error message, any URL in it cut to scheme and host (no user:pass@). */
function shown(value: string): string {
  return value.replace(
    /([A-Za-z][\w+.-]*:\/\/)(?:[^/?#\s@]*@)?([^/?#\s]*)(\S*)/g,
    (_, scheme: string, host: string, rest: string) => `${scheme}${host}${rest ? "/…" : ""}`,
  );
}
