import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { type Approver, authenticateApprover } from "../identity/approvers.js";
import type { AgentTokenVerifier, VerifyResult } from "../identity/tokens.js";
import type { ApproverStore, AuditLog } from "../store/ports.js";
import { bearer, HttpError } from "./http.js";

/** Codes that prove nothing about who is calling: answered 401, never decided. */
const UNPROVEN = new Set([
  "malformed",
  "wrong-credential",
  "wrong-algorithm",
  "unknown-key",
  "bad-signature",
  "wrong-audience",
]);

/**
 * Who is calling. Agents present their token, humans their approver secret; neither is ever
 * accepted as the other. An approver secret is checked with scrypt once, then remembered (by
 * its SHA-256) for a minute; the approver's record is still read on every request, so a
 * removed approver is refused at once.
 */
export class Callers {
  private readonly approvers = new Map<string, { approver: Approver; until: number }>();

  constructor(
    private readonly o: {
      verifier: AgentTokenVerifier;
      approverStore: ApproverStore;
      audit: AuditLog;
      clock?: () => number;
    },
  ) {}

  /**
   * The agent's verified token. A token that proves an agent but is dead (expired, revoked,
   * suspended) comes back refused, for the caller to record as a denial; one that proves
   * nothing is a 401.
   */
  async agent(req: IncomingMessage, expectAgent?: string): Promise<VerifyResult> {
    const token = bearer(req);
    if (!token)
      throw new HttpError(401, "an agent token is required: Authorization: Bearer <token>");
    const r = await this.o.verifier.verify(token, expectAgent);
    if (!r.ok && (UNPROVEN.has(r.refusal.code) || r.refusal.code === "wrong-agent"))
      throw new HttpError(
        r.refusal.code === "wrong-agent" ? 403 : 401,
        `agent token refused: ${r.refusal.reason}`,
      );
    return r;
  }

  /** An agent whose token is valid now; anything else is refused. */
  async liveAgent(req: IncomingMessage): Promise<string> {
    const r = await this.agent(req);
    if (!r.ok) throw new HttpError(401, `agent token refused: ${r.refusal.reason}`);
    return r.agent;
  }

  async approver(req: IncomingMessage): Promise<Approver> {
    const secret = bearer(req);
    if (!secret)
      throw new HttpError(401, "an approver secret is required: Authorization: Bearer rla_...");
    const now = (this.o.clock ?? Date.now)();
    const key = createHash("sha256").update(secret).digest("hex");
    const hit = this.approvers.get(key);
    if (hit && hit.until > now && (await this.o.approverStore.get(hit.approver.id)))
      return hit.approver;
    const auth = await authenticateApprover(this.o.approverStore, this.o.audit, secret, now);
    if (!auth.ok) throw new HttpError(401, `approver credential refused: ${auth.refusal.reason}`);
    this.approvers.set(key, { approver: auth.approver, until: now + 60_000 });
    return auth.approver;
  }
}
