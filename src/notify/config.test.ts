import { describe, expect, it } from "vitest";
import { describeUrl, parseWebhookFlag } from "./config.js";

const SLACK = "https://hooks.slack.com/services/T000/B000/XXXXSECRET";

describe("parseWebhookFlag", () => {
  it("takes a bare URL as generic JSON", () => {
    expect(parseWebhookFlag("https://hooks.example/x")).toEqual({
      ok: true,
      webhook: { url: "https://hooks.example/x", format: "json" },
    });
  });

  it("takes FORMAT=URL, and a bare hooks.slack.com URL as slack", () => {
    expect(parseWebhookFlag(`slack=${SLACK}`)).toEqual({
      ok: true,
      webhook: { url: SLACK, format: "slack" },
    });
    expect(parseWebhookFlag("json=https://h.example/?a=b")).toMatchObject({
      webhook: { format: "json", url: "https://h.example/?a=b" },
    });
    expect(parseWebhookFlag(SLACK)).toMatchObject({ webhook: { format: "slack" } });
    expect(parseWebhookFlag(`json=${SLACK}`)).toMatchObject({ webhook: { format: "json" } });
  });

  it("reads the secret from the named environment variable", () => {
    const env = { REDLINE_WEBHOOK_SECRET: "s3cret" };
    expect(
      parseWebhookFlag("https://h.example/x", { secretEnv: "REDLINE_WEBHOOK_SECRET", env }),
    ).toEqual({
      ok: true,
      webhook: { url: "https://h.example/x", format: "json", secret: "s3cret" },
    });
    expect(
      parseWebhookFlag("https://h.example/x", { secretEnv: "REDLINE_WEBHOOK_SECRET", env: {} }),
    ).toEqual({
      ok: false,
      error:
        "--webhook-secret-env REDLINE_WEBHOOK_SECRET: the environment variable is not set or empty",
    });
  });

  it("names the flag and the value, without the URL's secret path", () => {
    expect(parseWebhookFlag(`slak=${SLACK}`)).toEqual({
      ok: false,
      error:
        "--webhook 'slak=https://hooks.slack.com/…': unknown format 'slak': use json=URL, slack=URL or a bare URL",
    });
    expect(parseWebhookFlag("hooks.example/x", { flag: "--notify" })).toEqual({
      ok: false,
      error:
        "--notify 'hooks.example/x': not a URL: expected https://host/path, optionally after json= or slack=",
    });
    expect(parseWebhookFlag("ftp://h.example/x")).toEqual({
      ok: false,
      error: "--webhook 'ftp://h.example/…': the scheme is ftp: a webhook URL is http or https",
    });
    const r = parseWebhookFlag("https://user:pw@h.example/x");
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).not.toContain("pw");
    expect(!r.ok && r.error).toContain("user:password@");
  });
});

describe("describeUrl", () => {
  it("keeps the scheme and host only", () => {
    expect(describeUrl(SLACK)).toBe("https://hooks.slack.com/…");
    expect(describeUrl("http://127.0.0.1:8080/")).toBe("http://127.0.0.1:8080/");
    expect(describeUrl("nope")).toBe("(invalid URL)");
  });
});
