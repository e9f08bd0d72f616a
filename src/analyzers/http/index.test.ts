import { describe, expect, it } from "vitest";
import { MAX_DEPTH } from "../types.js";
import { analyzeHttp } from "./index.js";
import { OperationIndex } from "./match.js";
import { categories, context, run } from "./test-support/run.js";

describe("requests that cannot be read are opaque", () => {
  it.each([
    ["a URL that does not parse", "GET not-a-url"],
    ["a URL without a scheme", "GET api.github.com/repos/a/b"],
    ["another scheme", "GET ftp://files.example.com/x"],
  ])("%s", (_, line) => {
    const facts = run(line);
    expect(facts.categories).toEqual(["opaque"]);
    expect(facts.findings[0]?.reason).toMatch(/URL|scheme/);
  });

  it("nesting beyond the limit", () => {
    const facts = analyzeHttp(
      { method: "GET", url: "https://example.com" },
      context({ depth: MAX_DEPTH + 1 }),
    );
    expect(facts.categories).toEqual(["opaque"]);
  });
});

describe("the host", () => {
  it.each([
    ["https://API.GitHub.com:8443/zen", "api.github.com"],
    ["https://api.github.com./zen", "api.github.com"],
    ["http://[::1]:8080/x", "::1"],
    ["https://user:pw@example.com/x", "example.com"],
  ])("%s → %s", (url, host) => {
    expect(run(`GET ${url}`).targets.hosts).toEqual([host]);
  });
});

describe("spellings that must not dodge the catalogue", () => {
  it.each([
    ["upper-case host and a port", "DELETE https://API.GITHUB.COM:443/repos/acme/api"],
    ["a trailing dot", "DELETE https://api.github.com./repos/acme/api"],
    ["percent-encoded letters", "DELETE https://api.github.com/rep%6Fs/acme/api"],
    ["doubled and trailing slashes", "DELETE https://api.github.com//repos//acme/api/"],
    ["dot segments", "DELETE https://api.github.com/x/../repos/acme/api"],
    ["a lower-case method", "delete https://api.github.com/repos/acme/api"],
    ["a fragment", "DELETE https://api.github.com/repos/acme/api#x"],
  ])("%s", (_, line) => {
    expect(categories(run(line))).toEqual(["data.destroy"]);
  });

  it("a method override header turns a POST into the method it names", () => {
    const facts = run("POST https://api.github.com/repos/acme/api", {
      headers: { "X-HTTP-Method-Override": "DELETE" },
    });
    expect(categories(facts)).toEqual(["data.destroy"]);
    expect(facts.flags).toContain("delete");
  });

  it("so does a `_method` form field", () => {
    const facts = run("POST https://api.github.com/repos/acme/api", {
      body: "_method=delete",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(categories(facts)).toEqual(["data.destroy"]);
  });
});

describe("flags", () => {
  it.each([
    ["GET https://example.com/", ["read", "untrusted"]],
    ["HEAD https://example.com/", ["read", "untrusted"]],
    ["POST https://example.com/", ["sends-data", "untrusted", "write"]],
    ["PATCH https://example.com/x", ["sends-data", "untrusted", "write"]],
    ["DELETE https://example.com/x", ["delete", "untrusted", "write"]],
    ["GET http://10.0.0.7/status", ["read"]],
  ])("%s → %j", (line, flags) => {
    expect([...run(line).flags].sort()).toEqual(flags);
  });
});

describe("more flags", () => {
  it("sends-data: data leaving the organisation, egress or not", () => {
    expect(run("POST https://api.example.com/x", { body: { a: 1 } }).flags).toContain("sends-data");
    expect(run("GET https://api.example.com/x?q=a").flags).not.toContain("sends-data");
    const internal = run("POST https://api.corp.example/x", {
      body: { a: 1 },
      ctx: { internalHosts: ["*.corp.example"] },
    });
    expect(internal.flags).not.toContain("sends-data");
  });

  it("untrusted: an answer from outside the organisation, which taints the session", () => {
    expect(run("GET https://pastebin.com/raw/x").flags).toContain("untrusted");
    expect(
      run("GET https://wiki.corp.example/page", { ctx: { internalHosts: ["*.corp.example"] } })
        .flags,
    ).not.toContain("untrusted");
    expect(run("GET http://127.0.0.1:8080/").flags).not.toContain("untrusted");
  });

  it("heuristic: a category guessed from names, not from the catalogue", () => {
    expect(run("DELETE https://api.example.com/v1/databases/prod").flags).toContain("heuristic");
    expect(run("DELETE https://api.github.com/repos/acme/api").flags).not.toContain("heuristic");
    expect(run("DELETE https://api.example.com/v1/notes/1").flags).not.toContain("heuristic");
  });
});

describe("a body too large to read", () => {
  it("does not clear an operation whose test needs the body", () => {
    const body = JSON.stringify({
      tag_name: "v1",
      draft: true,
      padding: "x".repeat(3 * 1024 * 1024),
    });
    const facts = run("POST https://api.github.com/repos/acme/api/releases", {
      body,
      headers: { "content-type": "application/json" },
    });
    expect(facts.categories).toContain("deploy.prod");
    expect(facts.flags).toContain("truncated");
  });

  it("claiming GraphQL is opaque", () => {
    const body = JSON.stringify({ query: `{ a } #${"x".repeat(3 * 1024 * 1024)}` });
    expect(run("POST https://api.github.com/graphql", { body }).categories).toContain("opaque");
  });
});

describe("benign requests cross no red line", () => {
  // The hosts this agent works with; GETs elsewhere send nothing.
  const allow = {
    egressAllowlist: [
      "*.github.com",
      "api.stripe.com",
      "slack.com",
      "api.openai.com",
      "jsonplaceholder.typicode.com",
      "httpbin.org",
    ],
    internalHosts: ["*.internal.example"],
  };
  it.each([
    ["GET https://docs.python.org/3/library/json.html", {}],
    ["GET https://developer.mozilla.org/en-US/docs/Web/HTTP/Methods/DELETE", {}],
    ["GET https://www.google.com/search?q=how+to+delete+a+git+branch", {}],
    ["GET https://registry.npmjs.org/react", {}],
    ["GET https://pypi.org/pypi/requests/json", {}],
    ["GET https://api.github.com/repos/acme/api/issues?state=open", {}],
    ["GET https://api.github.com/repos/acme/api/contents/src/index.ts?ref=main", {}],
    [
      "POST https://api.github.com/repos/acme/api/issues/12/comments",
      { body: { body: "Fixed in #13" } },
    ],
    [
      "POST https://api.github.com/repos/acme/api/pulls",
      { body: { title: "Fix", head: "fix", base: "main" } },
    ],
    ["POST https://api.github.com/graphql", { body: { query: "query { viewer { login } }" } }],
    ["GET https://api.stripe.com/v1/charges?customer=cus_1", {}],
    ["GET https://api.stripe.com/v1/balance", {}],
    ["GET https://slack.com/api/conversations.list", {}],
    [
      "POST https://slack.com/api/chat.postMessage",
      { body: { channel: "C1", text: "Deploy finished" } },
    ],
    [
      "POST https://api.internal.example/v1/tickets",
      { body: { title: "Disk 80%", priority: "low" } },
    ],
    ["GET https://s3.amazonaws.com/acme-public/index.html", {}],
    ["GET https://kubernetes.default.svc/api/v1/namespaces/prod/pods", {}],
    [
      "POST https://api.openai.com/v1/chat/completions",
      { body: { model: "gpt-4o", messages: [{ role: "user", content: "hi" }] } },
    ],
    ["GET https://api.weather.gov/points/39.7456,-97.0892", {}],
    ["GET https://jsonplaceholder.typicode.com/posts/1", {}],
    ["DELETE https://jsonplaceholder.typicode.com/posts/1", {}],
    ["PUT https://jsonplaceholder.typicode.com/posts/1", { body: { title: "foo" } }],
    ["POST https://httpbin.org/post", { body: { hello: "world" } }],
  ])("%s", (line, options) => {
    expect(categories(run(line, { ...options, ctx: allow }))).toEqual([]);
    // Nor without an allowlist: ordinary API writes are not egress by themselves.
    expect(categories(run(line, options))).toEqual([]);
  });
});

describe("purity", () => {
  it("gives the same facts for the same request and leaves the request alone", () => {
    const request = Object.freeze({
      method: "DELETE",
      url: "https://api.github.com/repos/acme/api",
      headers: Object.freeze({ accept: "application/json" }),
    });
    const ctx = context();
    expect(analyzeHttp(request, ctx)).toEqual(analyzeHttp(request, ctx));
  });
});

describe("the catalogue", () => {
  it("rejects a host pattern it cannot index", () => {
    expect(
      () =>
        new OperationIndex([
          { host: "api.{region}.{cloud}", method: "GET", path: "/", reason: "x" },
        ]),
    ).toThrow(/last two labels/);
  });
});
