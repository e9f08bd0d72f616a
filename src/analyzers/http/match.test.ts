import { describe, expect, it } from "vitest";
import type { HttpOperation } from "./catalogue/types.js";
import { matchHttp, OperationIndex } from "./match.js";
import { type ParsedRequest, parseRequest } from "./request.js";

/** The interpreter on a small catalogue of its own, independent of the shipped data. */
const OPERATIONS: HttpOperation[] = [
  {
    host: "api.{region}.example.com",
    method: "DELETE",
    path: "/v1/things/{id}",
    category: "data.destroy",
    reason: "thing {id} in {region}",
    resource: "example:{region}/{id}/{missing}",
  },
  {
    host: "api.example.com",
    method: "POST",
    path: "/v1/{kind}/{name+}:run",
    when: [{ from: "param", name: "kind", equals: ["jobs", "tasks"] }],
    category: "opaque",
    reason: "{kind} {name}",
  },
  {
    host: "api.example.com",
    method: "PUT",
    path: "/v1/flags",
    when: [
      { from: "field", name: "settings.enabled", equals: [false] },
      { from: "header", name: "X-Env", matches: "^prod" },
    ],
    category: "security.weaken",
    reason: "flag off in {settings.name}",
  },
  {
    host: "api.example.com",
    method: "PUT",
    path: "/v1/drafts",
    when: [{ from: "field", name: "draft", equals: [true], not: true }],
    category: "deploy.prod",
    reason: "publish",
  },
  { host: "api.example.com", method: "DELETE", path: "/v1/{any+}", reason: "known, harmless" },
  {
    host: "*",
    method: "GET",
    path: "/anywhere/{x}",
    category: "secret.access",
    reason: "any host {x}",
  },
];

const index = new OperationIndex(OPERATIONS);

function request(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const parsed = parseRequest({
    method,
    url,
    headers: { "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (typeof parsed === "string") throw new Error(parsed);
  return parsed as ParsedRequest;
}

describe("matching", () => {
  it("captures host and path params, fills reasons, and drops a resource it cannot fill", () => {
    const m = matchHttp(index, request("DELETE", "https://api.eu.example.com/v1/things/42"));
    expect(m?.reason).toBe("thing 42 in eu");
    expect(m?.resource).toBeUndefined();
  });

  it("spans segments with {name+} and tests params", () => {
    expect(
      matchHttp(index, request("POST", "https://api.example.com/v1/jobs/a/b:run"))?.reason,
    ).toBe("jobs a/b");
    expect(
      matchHttp(index, request("POST", "https://api.example.com/v1/users/a:run")),
    ).toBeUndefined();
  });

  it("needs every test to pass, reading nested JSON fields and headers", () => {
    const body = { settings: { enabled: false, name: "sso" } };
    expect(
      matchHttp(
        index,
        request("PUT", "https://api.example.com/v1/flags", body, { "x-env": "production" }),
      )?.reason,
    ).toBe("flag off in sso");
    expect(
      matchHttp(
        index,
        request("PUT", "https://api.example.com/v1/flags", body, { "x-env": "dev" }),
      ),
    ).toBeUndefined();
  });

  it("passes a `not` test when the value is absent or any value fails", () => {
    const url = "https://api.example.com/v1/drafts";
    expect(matchHttp(index, request("PUT", url, {}))?.categories).toEqual(["deploy.prod"]);
    expect(matchHttp(index, request("PUT", url, { draft: true }))).toBeUndefined();
    expect(
      matchHttp(index, request("PUT", `${url}?draft=false`, { draft: true }))?.categories,
    ).toEqual(["deploy.prod"]);
  });

  it("takes the first match, so a known harmless entry stops the search", () => {
    expect(
      matchHttp(index, request("DELETE", "https://api.example.com/v1/things/1"))?.categories,
    ).toEqual([]);
  });

  it("tries any-host entries after host-specific ones", () => {
    expect(matchHttp(index, request("GET", "https://other.test/anywhere/k"))?.reason).toBe(
      "any host k",
    );
  });

  it("matches the method exactly", () => {
    expect(
      matchHttp(index, request("GET", "https://api.eu.example.com/v1/things/42")),
    ).toBeUndefined();
  });
});
