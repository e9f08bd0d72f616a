/**
 * The HTTP analyzer: what one HTTP request does, as red-line facts. It recognises well-known
 * API operations from a data catalogue (`catalogue/`), GraphQL mutations (by the catalogue, then
 * by name), unknown APIs' destructive deletes (by the resource's name), credentials in what is
 * sent (`secret-patterns.ts`) and data leaving for hosts off the egress allowlist. A request
 * it cannot read is opaque. Pure and synchronous; tables are compiled once, at module load.
 *
 * Flags: `read`, `write`, `delete`, `graphql`, `mutation`, `upload`, `sends-data` (data leaves
 * for a host outside the organisation), `heuristic` (a category guessed from names, not from
 * the catalogue), `truncated` (the body was too large to read whole).
 */

import { type Facts, FactsBuilder } from "../../core/facts.js";
import { type AnalysisContext, type HttpRequest, MAX_DEPTH } from "../types.js";
import {
  GRAPHQL_OPERATIONS,
  type GraphqlOperation,
  HTTP_OPERATIONS,
  type HttpOperation,
} from "./catalogue/index.js";
import { isAllowlisted, isInternal, judgeEgress, sendsData, uploadKind } from "./egress.js";
import { graphqlPayloads, type Payload, readDocument } from "./graphql.js";
import { judgeMutation, judgePath, type Verdict } from "./heuristics.js";
import { type Match, matchGraphql, matchHttp, OperationIndex } from "./match.js";
import { type ParsedRequest, parseRequest } from "./request.js";
import { findSecrets } from "./secrets.js";

export type { FieldTest, GraphqlOperation, HttpMethod, HttpOperation } from "./catalogue/index.js";
export { GRAPHQL_OPERATIONS, HTTP_OPERATIONS } from "./catalogue/index.js";
export type { SecretPattern } from "./secret-patterns.js";
export { SECRET_PATTERNS } from "./secret-patterns.js";

// Built on the first request analysed: a process that never sees one (a hook deciding a file
// read) does not pay for compiling the catalogue.
let httpIndex: OperationIndex<HttpOperation> | undefined;
let graphqlIndex: OperationIndex<GraphqlOperation> | undefined;
const httpOperations = () => {
  httpIndex ??= new OperationIndex(HTTP_OPERATIONS);
  return httpIndex;
};
const graphqlOperations = () => {
  graphqlIndex ??= new OperationIndex(GRAPHQL_OPERATIONS);
  return graphqlIndex;
};
const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Facts about one HTTP request. Never throws on any input it can be given. */
export function analyzeHttp(request: HttpRequest, ctx: AnalysisContext): Facts {
  const facts = new FactsBuilder();
  if (ctx.depth > MAX_DEPTH)
    return facts.opaque("HTTP request nested too deeply to analyze").build();
  const req = parseRequest(request);
  if (typeof req === "string") return facts.opaque(req).build();
  facts.target("hosts", req.host);

  const payloads = graphqlPayloads(req);
  if (typeof payloads === "string") facts.flag("graphql").opaque(payloads);
  else if (payloads) judgeGraphql(req, payloads, ctx, facts);
  else judgeRest(req, ctx, facts);

  judgeSecrets(req, ctx, facts);
  const egress = judgeEgress(req, ctx);
  if (egress) facts.add("network.egress", egress);
  if (uploadKind(req)) facts.flag("upload");
  // Data leaving the organisation even where it is not egress: lets a session rule gate it.
  const outside = !isInternal(req.host, ctx);
  if (sendsData(req) && outside) facts.flag("sends-data");
  // What comes back from outside (a web page, an API's answer) can carry instructions to the
  // agent: like a tool marked untrusted, it taints the session once released.
  if (outside) facts.flag("untrusted");
  if (req.bodyUnread) facts.flag("truncated");
  return facts.build();
}

function judgeRest(req: ParsedRequest, ctx: AnalysisContext, facts: FactsBuilder): void {
  if (READ_METHODS.has(req.method)) facts.flag("read");
  else facts.flag("write");
  if (req.method === "DELETE") facts.flag("delete");
  const match = matchHttp(httpOperations(), req);
  if (match) {
    apply(match, req, ctx, facts);
    return;
  }
  const verdict = judgePath(req.method, req.host, req.path);
  if (verdict) record(verdict, facts);
}

function judgeGraphql(
  req: ParsedRequest,
  payloads: readonly Payload[],
  ctx: AnalysisContext,
  facts: FactsBuilder,
): void {
  facts.flag("graphql");
  let mutated = false;
  for (const payload of payloads) {
    const document = readDocument(payload);
    if (typeof document === "string") {
      facts.opaque(document);
      continue;
    }
    for (const mutation of document.mutations) {
      mutated = true;
      const match = matchGraphql(graphqlOperations(), req, mutation.name, mutation.args);
      if (match) {
        apply(match, req, ctx, facts);
        continue;
      }
      const verdict = judgeMutation(mutation.name);
      if (verdict) record(verdict, facts);
    }
  }
  if (mutated) facts.flag("mutation").flag("write");
  else facts.flag("read");
}

/** A guess from names: flagged `heuristic` when it crosses a line, so humans know it is one. */
function record(verdict: Verdict, facts: FactsBuilder): void {
  if (verdict.deletes) facts.flag("delete");
  for (const c of verdict.categories) facts.add(c, verdict.reason);
  if (verdict.categories.length > 0) facts.flag("heuristic");
}

function apply(match: Match, req: ParsedRequest, ctx: AnalysisContext, facts: FactsBuilder): void {
  for (const category of match.categories) {
    // A message to a host inside the organisation (an internal relay) is not to outsiders.
    if (category === "external.send" && isInternal(req.host, ctx)) continue;
    facts.add(category, match.reason);
  }
  if (match.resource) facts.target("resources", match.resource);
}

function judgeSecrets(req: ParsedRequest, ctx: AnalysisContext, facts: FactsBuilder): void {
  const internal = isInternal(req.host, ctx);
  const { hits, truncated } = findSecrets(req, internal);
  if (truncated) facts.flag("truncated");
  if (hits.length === 0) return;
  for (const hit of hits) facts.add("secret.access", `${hit.what} in ${hit.where}`);
  if (!internal && !isAllowlisted(req.host, ctx))
    facts.add("network.egress", `credentials sent to ${req.host}`);
}
