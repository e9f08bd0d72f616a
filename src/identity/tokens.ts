import { randomUUID } from "node:crypto";
import { decodeProtectedHeader, errors, jwtVerify, SignJWT } from "jose";
import { recordEvent } from "../audit/record.js";
import type { DecisionState } from "../core/engine/decision.js";
import type { Policy } from "../core/policy/model.js";
import type { AgentRegistry, AgentView, AuditLog } from "../store/ports.js";
import type { SigningKeys } from "./keys.js";
import { APPROVER_PREFIX, BOOTSTRAP_PREFIX } from "./secrets.js";

/** Agent tokens: EdDSA (Ed25519) JWTs, one agent each, short-lived, revocable. */

export const ISSUER = "redline";
export const AGENT_AUDIENCE = "redline-agent";
/** The JWT `typ` header of agent tokens: another kind of JWT is never taken for one. */
export const AGENT_TOKEN_TYPE = "redline-agent+jwt";
export const ALGORITHM = "EdDSA";
export const DEFAULT_TTL_MS = 15 * 60_000;
/** The longest a token may live; also how long a rotated-out key keeps verifying. */
export const MAX_TTL_MS = 60 * 60_000;
/** Longer input is refused before any parsing. */
export const MAX_TOKEN_LENGTH = 4096;

export type Identity = NonNullable<DecisionState["identity"]>;

export interface AgentClaims {
  iss: string;
  aud: string;
  /** The agent id. */
  sub: string;
  jti: string;
  /** Seconds since the epoch, as JWT has it. */
  iat: number;
  nbf: number;
  exp: number;
  /** Space-separated: `agent:<id>` and `policy:<hash>` of the policy it was issued under. */
  scope: string;
}

export interface IssuedToken {
  token: string;
  kid: string;
  claims: AgentClaims;
}

/** Signs a token for `agent` at `now` (epoch ms). The caller checks the agent may have one. */
export async function signAgentToken(
  keys: SigningKeys,
  args: { agent: string; now: number; ttlMs?: number; policyHash?: string; jti?: string },
): Promise<IssuedToken> {
  const ttlMs = args.ttlMs ?? DEFAULT_TTL_MS;
  if (!(ttlMs > 0 && ttlMs <= MAX_TTL_MS))
    throw new RangeError(`token lifetime must be between 1s and ${MAX_TTL_MS / 60_000}m`);
  const key = keys.current();
  const iat = Math.floor(args.now / 1000);
  const claims: AgentClaims = {
    iss: ISSUER,
    aud: AGENT_AUDIENCE,
    sub: args.agent,
    jti: args.jti ?? randomUUID(),
    iat,
    nbf: iat,
    exp: iat + Math.max(1, Math.floor(ttlMs / 1000)),
    scope: [`agent:${args.agent}`, ...(args.policyHash ? [`policy:${args.policyHash}`] : [])].join(
      " ",
    ),
  };
  const token = await new SignJWT({ scope: claims.scope })
    .setProtectedHeader({ alg: ALGORITHM, typ: AGENT_TOKEN_TYPE, kid: key.kid })
    .setIssuer(claims.iss)
    .setAudience(claims.aud)
    .setSubject(claims.sub)
    .setJti(claims.jti)
    .setIssuedAt(claims.iat)
    .setNotBefore(claims.nbf)
    .setExpirationTime(claims.exp)
    .sign(key.privateKey);
  return { token, kid: key.kid, claims };
}

export const REFUSAL_CODES = [
  "malformed",
  "wrong-credential",
  "wrong-algorithm",
  "unknown-key",
  "bad-signature",
  "wrong-audience",
  "expired",
  "not-yet-valid",
  "wrong-agent",
  "unknown-agent",
  "revoked",
  "suspended",
  "quarantined",
  "bad-secret",
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

/** Why a credential was refused, as data. */
export interface TokenRefusal {
  code: RefusalCode;
  /** For humans: what was wrong, without the credential itself. */
  reason: string;
  /** The agent: from a token whose signature verified, else the one it was presented as. */
  agent?: string;
  /** The `sub` of a token whose signature did not verify: attacker-controlled, for forensics. */
  claimed?: string;
  jti?: string;
  kid?: string;
}

export type VerifyResult =
  | { ok: true; agent: string; claims: AgentClaims; kid: string; identity: Identity }
  | { ok: false; refusal: TokenRefusal; identity: Identity; auditError?: string };

/** The identity the engine gets for a refusal (DecisionState.identity): never `active`. */
export function refusalIdentity(r: TokenRefusal): Identity {
  const status =
    r.code === "expired"
      ? "expired"
      : r.code === "suspended" || r.code === "quarantined"
        ? r.code
        : "revoked";
  // The engine says "agent 'x' is <status>" itself: give it only the why.
  const prefix = r.agent === undefined ? undefined : `${statusOf(r.agent, status)}: `;
  const reason = prefix && r.reason.startsWith(prefix) ? r.reason.slice(prefix.length) : r.reason;
  return { status, reason };
}

const statusOf = (agent: string, status: string) => `agent '${agent}' is ${status}`;

export interface VerifierOptions {
  keys: SigningKeys;
  agents: AgentRegistry;
  /** Each refusal is recorded here (`token.refused`). */
  audit?: AuditLog;
  /** When given, a token for an agent the policy does not know is refused. */
  policy?: Policy;
  clock?: () => number;
  /** Seconds of clock skew accepted on exp and nbf. Default 0. */
  clockToleranceSec?: number;
  /**
   * How long an agent's state may be reused (ms). Default 0: every verification reads it, so a
   * suspension stops the very next action. A cache trades that for speed, up to this long.
   */
  stateCacheMs?: number;
  /**
   * How many tokens whose signature verified to remember, until they expire, so an enforcement
   * point that sees the same token on every call pays for Ed25519 once. Identity state (status,
   * revocation, panic) is still checked on every call. Default 0: no cache.
   */
  verifiedCacheSize?: number;
}

/**
 * Verifies agent tokens. Pinned to EdDSA and to the agent audience; the key comes from the
 * `kid` header and imported keys are cached; the agent's state is one store read.
 */
export class AgentTokenVerifier {
  private readonly clock: () => number;
  private readonly cache = new Map<string, { view: AgentView; until: number }>();
  private readonly verified = new Map<string, { claims: AgentClaims; kid: string }>();

  constructor(private readonly o: VerifierOptions) {
    this.clock = o.clock ?? Date.now;
  }

  /** `expectAgent`: the agent the action claims to be; a token of another agent is refused. */
  async verify(token: string, expectAgent?: string): Promise<VerifyResult> {
    const now = this.clock();
    const result = await this.check(token.trim(), now, expectAgent);
    if (result.ok) return result;
    const r = result.refusal;
    try {
      await recordRefusal(this.o.audit, r, now);
      return result;
    } catch (error) {
      return { ...result, auditError: error instanceof Error ? error.message : String(error) };
    }
  }

  private async check(token: string, now: number, expectAgent?: string): Promise<VerifyResult> {
    const refuse = (code: RefusalCode, reason: string, more: Partial<TokenRefusal> = {}) => {
      const refusal: TokenRefusal = { code, reason, ...more };
      if (refusal.agent === undefined && expectAgent !== undefined) refusal.agent = expectAgent;
      return { ok: false as const, refusal, identity: refusalIdentity(refusal) };
    };
    const known = this.verified.get(token);
    if (known && known.claims.exp * 1000 > now)
      return this.admit(known.claims, known.kid, now, refuse, expectAgent);
    if (known) this.verified.delete(token);
    if (token.startsWith(APPROVER_PREFIX) || token.startsWith(BOOTSTRAP_PREFIX))
      return refuse(
        "wrong-credential",
        "this is a secret, not an agent token: exchange a bootstrap secret for a token first; an approver secret never authenticates an agent",
      );
    if (token.length > MAX_TOKEN_LENGTH)
      return refuse("malformed", `longer than ${MAX_TOKEN_LENGTH} characters: not an agent token`);
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      if (token.split(".").length !== 3) throw new Error("not three parts");
      header = decodeProtectedHeader(token);
    } catch {
      return refuse("malformed", "not a JWT (expected header.payload.signature in base64url)");
    }
    if (header.alg !== ALGORITHM)
      return refuse(
        "wrong-algorithm",
        `algorithm '${String(header.alg)}' is not accepted: agent tokens are signed with EdDSA only`,
      );
    if (header.typ !== AGENT_TOKEN_TYPE)
      return refuse(
        "wrong-credential",
        `token type '${String(header.typ)}' is not an agent token (${AGENT_TOKEN_TYPE})`,
      );
    const kid = typeof header.kid === "string" ? header.kid : undefined;
    const key = kid === undefined ? undefined : this.o.keys.publicKey(kid, now);
    if (!key || kid === undefined) {
      const info = kid === undefined ? undefined : this.o.keys.info(kid);
      return refuse(
        "unknown-key",
        kid === undefined
          ? "the token names no signing key (kid)"
          : info?.verifiesUntil !== undefined
            ? `signing key '${kid}' was rotated out and its overlap ended at ${new Date(info.verifiesUntil).toISOString()}`
            : `signing key '${kid}' is not one of Redline's`,
        { kid },
      );
    }
    let claims: AgentClaims;
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: [ALGORITHM],
        issuer: ISSUER,
        audience: AGENT_AUDIENCE,
        typ: AGENT_TOKEN_TYPE,
        currentDate: new Date(now),
        clockTolerance: this.o.clockToleranceSec ?? 0,
        requiredClaims: ["sub", "jti", "iat", "nbf", "exp", "scope"],
      });
      claims = payload as unknown as AgentClaims;
    } catch (error) {
      const sub = unverifiedSubject(token);
      if (error instanceof errors.JWSSignatureVerificationFailed)
        return refuse("bad-signature", "the signature does not verify: forged or altered", {
          kid,
          ...(sub === undefined ? {} : { claimed: sub }),
        });
      // jose checks claims only after the signature verified: the subject is authentic.
      const more = { kid, ...(sub === undefined ? {} : { agent: sub }) };
      if (error instanceof errors.JWTExpired)
        return refuse("expired", `the token expired at ${isoSeconds(error.payload.exp)}`, more);
      if (error instanceof errors.JWTClaimValidationFailed) {
        if (error.claim === "nbf")
          return refuse(
            "not-yet-valid",
            `the token is not valid before ${isoSeconds(error.payload.nbf)}`,
            more,
          );
        if (error.claim === "aud" || error.claim === "iss")
          return refuse(
            "wrong-audience",
            `claim '${error.claim}' is not Redline's agent ${error.claim === "aud" ? "audience" : "issuer"}`,
            more,
          );
        return refuse("malformed", `claim '${error.claim}': ${error.reason}`, more);
      }
      if (error instanceof errors.JOSEAlgNotAllowed)
        return refuse("wrong-algorithm", "agent tokens are signed with EdDSA only", more);
      return refuse("malformed", `the token cannot be read: ${(error as Error).message}`, more);
    }
    const agent = claims.sub;
    if (typeof agent !== "string" || !claims.scope.split(" ").includes(`agent:${agent}`))
      return refuse("malformed", "the token's scope does not name its own agent", {
        agent,
        jti: claims.jti,
        kid,
      });
    this.remember(token, claims, kid);
    return this.admit(claims, kid, now, refuse, expectAgent);
  }

  private remember(token: string, claims: AgentClaims, kid: string): void {
    const max = this.o.verifiedCacheSize ?? 0;
    if (max <= 0) return;
    if (this.verified.size >= max) {
      const oldest = this.verified.keys().next().value;
      if (oldest !== undefined) this.verified.delete(oldest);
    }
    this.verified.set(token, { claims, kid });
  }

  /** The checks after the signature: the agent presented, the policy, the agent's state. */
  private async admit(
    claims: AgentClaims,
    kid: string,
    now: number,
    refuse: (code: RefusalCode, reason: string, more?: Partial<TokenRefusal>) => VerifyResult,
    expectAgent: string | undefined,
  ): Promise<VerifyResult> {
    const agent = claims.sub;
    const base = { agent, jti: claims.jti, kid };
    if (expectAgent !== undefined && expectAgent !== agent)
      return refuse(
        "wrong-agent",
        `token of agent '${agent}' presented as agent '${expectAgent}'`,
        base,
      );
    if (this.o.policy && !policyKnows(this.o.policy, agent))
      return refuse("unknown-agent", `agent '${agent}' is not in the policy`, base);

    const view = await this.view(agent, now);
    if (view.panic.active)
      return refuse(
        "suspended",
        `every agent is suspended (panic${view.panic.change?.reason ? `: ${view.panic.change.reason}` : ""})`,
        base,
      );
    if (view.status !== "active")
      return refuse(
        view.status,
        `${statusOf(agent, view.status)}${view.change?.reason ? `: ${view.change.reason}` : ""}`,
        base,
      );
    // JWT times are whole seconds: a token issued in the second of a revocation, or any
    // earlier one, is dead (a fresh one issued in that same second too: fail closed).
    const cut = Math.max(view.revokedBefore ?? -1, view.panic.revokedBefore ?? -1);
    if (cut >= 0 && claims.iat <= Math.floor(cut / 1000))
      return refuse(
        "revoked",
        `the token was issued at ${isoSeconds(claims.iat)}, before ${
          cut === view.panic.revokedBefore ? "a panic" : `agent '${agent}' was revoked`
        } at ${new Date(cut).toISOString()}`,
        base,
      );
    return { ok: true, agent, claims, kid, identity: { status: "active" } };
  }

  private async view(agent: string, now: number): Promise<AgentView> {
    const ttl = this.o.stateCacheMs ?? 0;
    if (ttl > 0) {
      const hit = this.cache.get(agent);
      if (hit && hit.until > now) return hit.view;
    }
    const view = await this.o.agents.view(agent);
    if (ttl > 0) this.cache.set(agent, { view, until: now + ttl });
    return view;
  }
}

const AGENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$/;

/**
 * Whether the policy admits `agent`: declared by id, or a well-formed id when the policy has a
 * `*` agent (the baseline's only agent). `*` itself is never an agent that holds a credential.
 */
export function policyKnows(policy: Policy, agent: string): boolean {
  if (agent === "*" || !AGENT_ID.test(agent)) return false;
  return policy.agents.has(agent) || policy.wildcard !== undefined;
}

/** Writes a `token.refused` entry: the code, reason, jti and kid; never the credential. */
export function recordRefusal(
  audit: AuditLog | undefined,
  r: TokenRefusal,
  now: number,
): Promise<unknown> {
  if (!audit) return Promise.resolve();
  const data: Record<string, unknown> = { code: r.code };
  if (r.jti !== undefined) data.jti = r.jti;
  if (r.kid !== undefined) data.kid = r.kid;
  if (r.claimed !== undefined) data.claimed = r.claimed;
  return recordEvent(audit, {
    kind: "token.refused",
    at: now,
    agent: r.agent ?? "unknown",
    reason: r.reason,
    data,
  });
}

/** The `sub` a token claims, unverified: only to name the agent in a refusal. */
function unverifiedSubject(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString());
    return typeof payload?.sub === "string" ? payload.sub.slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}

function isoSeconds(s: unknown): string {
  return typeof s === "number" ? new Date(s * 1000).toISOString() : "an unreadable time";
}
