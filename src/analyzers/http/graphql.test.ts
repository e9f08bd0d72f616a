import { describe, expect, it } from "vitest";
import { categories, reasons, run } from "./test-support/run.js";

const GITHUB = "POST https://api.github.com/graphql";
const gql = (query: string, variables?: unknown) => ({
  query,
  ...(variables === undefined ? {} : { variables }),
});

describe("GraphQL documents", () => {
  it.each([
    ["a query", GITHUB, gql("query { viewer { login } }"), [], ["graphql", "read"]],
    [
      "a shorthand query",
      GITHUB,
      gql('{ repository(owner: "a", name: "b") { id } }'),
      [],
      ["graphql", "read"],
    ],
    [
      "a subscription",
      "POST https://api.example.com/graphql",
      gql("subscription { orderCreated { id } }"),
      [],
      ["graphql", "read"],
    ],
    [
      "addComment",
      GITHUB,
      gql('mutation { addComment(input: {subjectId: "I_1", body: "hi"}) { clientMutationId } }'),
      [],
      ["graphql", "mutation", "write"],
    ],
    [
      "createPullRequest",
      GITHUB,
      gql(
        "mutation($i: CreatePullRequestInput!) { createPullRequest(input: $i) { pullRequest { id } } }",
        { i: {} },
      ),
      [],
      ["graphql", "mutation", "write"],
    ],
  ] as const)("%s: %j", (_, line, body, cats, flags) => {
    const facts = run(line, { body });
    expect(categories(facts)).toEqual(cats);
    const kinds = facts.flags.filter((f) => ["graphql", "read", "write", "mutation"].includes(f));
    expect(kinds.sort()).toEqual([...flags].sort());
  });
});

describe("GraphQL mutations by the catalogue", () => {
  it.each([
    [
      "deleteRepository",
      gql('mutation { deleteRepository(input: {repositoryId: "R_1"}) { clientMutationId } }'),
      ["data.destroy"],
    ],
    [
      "an aliased deleteRef",
      gql('mutation { harmless: deleteRef(input: {refId: "REF_1"}) { clientMutationId } }'),
      ["vcs.rewrite"],
    ],
    [
      "updateRef with force inline",
      gql(
        'mutation { updateRef(input: {refId: "R", oid: "abc", force: true}) { clientMutationId } }',
      ),
      ["vcs.rewrite"],
    ],
    [
      "updateRef with force in variables",
      gql("mutation($in: UpdateRefInput!) { updateRef(input: $in) { clientMutationId } }", {
        in: { refId: "R", oid: "a", force: true },
      }),
      ["vcs.rewrite"],
    ],
    [
      "updateRef with force as a variable default",
      gql(
        'mutation($f: Boolean = true) { updateRef(input: {refId: "R", oid: "a", force: $f}) { clientMutationId } }',
      ),
      ["vcs.rewrite"],
    ],
    [
      "updateRef without force",
      gql('mutation { updateRef(input: {refId: "R", oid: "abc"}) { clientMutationId } }'),
      [],
    ],
    [
      "updateRefs with one forced",
      gql(
        'mutation($u: [RefUpdate!]!) { updateRefs(input: {repositoryId: "R", refUpdates: $u}) { clientMutationId } }',
        {
          u: [
            { name: "refs/heads/a", afterOid: "1" },
            { name: "refs/heads/main", afterOid: "2", force: true },
          ],
        },
      ),
      ["vcs.rewrite"],
    ],
    [
      "addCollaborator",
      gql('mutation { addCollaborator(input: {login: "eve"}) { clientMutationId } }'),
      ["iam.change"],
    ],
    [
      "updateTeamsRepository",
      gql(
        'mutation { updateTeamsRepository(input: {repositoryId: "R", teamIds: ["T"], permission: ADMIN}) { clientMutationId } }',
      ),
      ["iam.change"],
    ],
    [
      "deleteBranchProtectionRule",
      gql(
        'mutation { deleteBranchProtectionRule(input: {branchProtectionRuleId: "B"}) { clientMutationId } }',
      ),
      ["security.weaken"],
    ],
    [
      "createDeployment to production",
      gql(
        'mutation { createDeployment(input: {refId: "R", environment: "production", repositoryId: "X"}) { clientMutationId } }',
      ),
      ["deploy.prod"],
    ],
    [
      "createDeployment to staging",
      gql(
        'mutation { createDeployment(input: {refId: "R", environment: "staging", repositoryId: "X"}) { clientMutationId } }',
      ),
      [],
    ],
    [
      "removeReaction (a known, reversible remove)",
      gql(
        'mutation { removeReaction(input: {subjectId: "S", content: HOORAY}) { clientMutationId } }',
      ),
      [],
    ],
    [
      "a root fragment",
      gql(
        'mutation { ...Danger } fragment Danger on Mutation { deleteRepository(input: {repositoryId: "R"}) { clientMutationId } }',
      ),
      ["data.destroy"],
    ],
    [
      "an inline fragment",
      gql('mutation { ... on Mutation { deleteRef(input: {refId: "R"}) { clientMutationId } } }'),
      ["vcs.rewrite"],
    ],
  ] as const)("%s", (_, body, cats) => {
    expect(categories(run(GITHUB, { body }))).toEqual(cats);
  });

  it("counts every mutation in the document, whatever operationName picks", () => {
    const body = {
      query:
        'query Safe { viewer { login } } mutation Bad { deleteRef(input: {refId: "R"}) { clientMutationId } }',
      operationName: "Safe",
    };
    expect(categories(run(GITHUB, { body }))).toEqual(["vcs.rewrite"]);
  });

  it("reads variables sent as a JSON string", () => {
    const body = gql(
      "mutation($in: UpdateRefInput!) { updateRef(input: $in) { clientMutationId } }",
      JSON.stringify({ in: { force: true } }),
    );
    expect(categories(run(GITHUB, { body }))).toEqual(["vcs.rewrite"]);
  });

  it("applies a host's catalogue only to that host", () => {
    const body = gql('mutation { removeReaction(input: {id: "1"}) { id } }');
    expect(categories(run("POST https://api.example.com/graphql", { body }))).toEqual([
      "data.destroy",
    ]);
  });
});

describe("GraphQL mutations by name", () => {
  it.each([
    ["deleteProject", ["data.destroy", "infra.destroy"]],
    ["removeUser", ["data.destroy"]],
    ["destroyCluster", ["infra.destroy"]],
    ["dropTable", ["data.destroy"]],
    ["purgeBackups", ["backup.destroy"]],
    ["wipeDevice", ["data.destroy"]],
    ["projectDelete", ["data.destroy", "infra.destroy"]],
    ["removeTeamMember", ["iam.change"]],
    ["refundOrder", ["money.move"]],
    ["createPayout", ["money.move"]],
    ["transferFunds", ["money.move"]],
    ["chargeCustomer", ["money.move"]],
    ["grantAccess", ["iam.change"]],
    ["updateUserRole", ["iam.change"]],
    ["addOrgMember", ["iam.change"]],
    ["setPermissions", ["iam.change"]],
    ["sendWelcomeEmail", ["external.send"]],
    ["sendMessage", ["external.send"]],
    ["createIssue", []],
    ["updateProfile", []],
    ["addComment", []],
  ] as const)("%s → %j", (name, cats) => {
    const body = gql(`mutation { ${name}(id: "1") { id } }`);
    const facts = run("POST https://api.example.com/graphql", { body });
    expect(categories(facts)).toEqual([...cats].sort());
    if (cats.length > 0) expect(reasons(facts)).toContain(name);
  });
});

describe("how GraphQL arrives", () => {
  const bad = 'mutation { deleteRepository(input: {repositoryId: "R"}) { clientMutationId } }';
  it("as application/graphql", () => {
    const facts = run("POST https://api.github.com/graphql", {
      body: bad,
      headers: { "content-type": "application/graphql" },
    });
    expect(categories(facts)).toEqual(["data.destroy"]);
  });
  it("in a GET query string", () => {
    const facts = run(`GET https://api.github.com/graphql?query=${encodeURIComponent(bad)}`);
    expect(categories(facts)).toEqual(["data.destroy"]);
  });
  it("batched in a JSON array", () => {
    const facts = run(GITHUB, { body: [gql("{ viewer { login } }"), gql(bad)] });
    expect(categories(facts)).toEqual(["data.destroy"]);
  });
  it("on a path that does not say graphql, when the payload is GraphQL-shaped", () => {
    const facts = run("POST https://api.example.com/v1/query", {
      body: gql("mutation { deleteAccount(id: 1) { id } }"),
    });
    expect(categories(facts)).toEqual(["data.destroy"]);
    expect(facts.flags).toContain("graphql");
  });
  it("not for a search body that merely has a query field", () => {
    expect(
      categories(
        run("POST https://search.example.com/1/indexes/shoes/query", {
          body: { query: "red shoes" },
        }),
      ),
    ).toEqual([]);
    expect(
      categories(
        run("POST https://api.example.com/search", {
          body: { query: "query builder tips", page: 2 },
        }),
      ),
    ).toEqual([]);
  });
});

describe("unreadable GraphQL is opaque", () => {
  it.each([
    [
      "a document that does not parse",
      GITHUB,
      { query: "mutation { deleteRepository(input: {" },
      {},
    ],
    [
      "a GraphQL-shaped payload that does not parse",
      "POST https://api.example.com/q",
      { query: "mutation { oops(" },
      {},
    ],
    [
      "a persisted query without its document",
      GITHUB,
      { operationName: "Del", extensions: { persistedQuery: { version: 1, sha256Hash: "ab" } } },
      {},
    ],
    ["a body that is not JSON", GITHUB, "mutation { x }", { "content-type": "text/plain" }],
    ["a document past the token limit", GITHUB, { query: `{ ${"a ".repeat(60_000)} }` }, {}],
  ] as const)("%s", (_, line, body, headers) => {
    const facts = run(line, { body, headers });
    expect(facts.categories).toContain("opaque");
    expect(facts.flags).toContain("graphql");
  });
});
