import { describe, expect, it } from "vitest";
import { T0 } from "../audit/test-support/inputs.js";
import {
  type ApprovalRequest,
  type ApprovalResult,
  applyVote,
  cancel,
  consume,
  expire,
  newRequest,
  type VoteInput,
} from "./rules.js";
import { HASH_A, HASH_B, pending } from "./test-support/requests.js";

const EXPIRES = T0 + 900_000;

/** The request of an ok result; fails the test on a refusal. */
function granted(r: ApprovalResult): ApprovalRequest {
  if (!r.ok) throw new Error(`refused: ${r.refusal.code} ${r.refusal.reason}`);
  return r.request;
}

function votes(request: ApprovalRequest, ...cast: [VoteInput, number][]): ApprovalRequest {
  let r = request;
  for (const [v, at] of cast) r = granted(applyVote(r, v, at));
  return r;
}

const approve = (approver: string, comment?: string): VoteInput =>
  comment === undefined
    ? { approver, verdict: "approve" }
    : { approver, verdict: "approve", comment };
const deny = (approver: string): VoteInput => ({ approver, verdict: "deny" });

/** Deep-freezes, so a rule that mutates its input throws. */
function frozen<T>(o: T): T {
  if (o && typeof o === "object") {
    for (const v of Object.values(o)) frozen(v);
    Object.freeze(o);
  }
  return o;
}

describe("a new request", () => {
  it("is pending, with no votes, valid for its expiry from now", () => {
    const r = pending({ quorum: 2, expiresSeconds: 60 });
    expect(r).toMatchObject({ status: "pending", votes: [], quorum: 2, createdAt: T0 });
    expect(r.expiresAt).toBe(T0 + 60_000);
    expect(r.id).toMatch(/^apr_[a-z2-7]{26}$/);
  });

  it("refuses what no caller may pass: bad quorum, expiry, id or hash", () => {
    for (const quorum of [0, -1, 1.5, 101, Number.NaN])
      expect(() => pending({ quorum })).toThrow(RangeError);
    for (const expiresSeconds of [0, -5, Number.NaN, 86_401, Number.POSITIVE_INFINITY])
      expect(() => pending({ expiresSeconds })).toThrow(RangeError);
    expect(() => pending({ id: "1234" })).toThrow(/apr_/);
    expect(() => pending({ agent: "" })).toThrow(/agent/);
    expect(() => pending({ actionHash: "deadbeef" })).toThrow(/sha256/);
    expect(() =>
      newRequest({ ...pending(), quorum: 1, expiresSeconds: 1, id: "apr_short" }, T0),
    ).toThrow(RangeError);
  });
});

describe("votes", () => {
  it("one approval grants a quorum of 1", () => {
    const r = granted(applyVote(frozen(pending()), approve("alice", "ok, ticket 42"), T0 + 10));
    expect(r).toMatchObject({
      status: "granted",
      decidedAt: T0 + 10,
      statusReason: "granted by alice",
      votes: [{ approver: "alice", verdict: "approve", comment: "ok, ticket 42", at: T0 + 10 }],
    });
  });

  it("quorum 2 of N: one approval keeps it pending, a second approver grants it", () => {
    const one = votes(frozen(pending({ quorum: 2 })), [approve("alice"), T0 + 1]);
    expect(one.status).toBe("pending");
    expect(one.decidedAt).toBeUndefined();
    const two = votes(frozen(one), [approve("bob"), T0 + 2]);
    expect(two).toMatchObject({
      status: "granted",
      decidedAt: T0 + 2,
      statusReason: "granted by alice, bob",
    });
    expect(two.votes.map((v) => v.approver)).toEqual(["alice", "bob"]);
  });

  it("quorum 3: two approvals are not enough", () => {
    const r = votes(pending({ quorum: 3 }), [approve("a"), T0], [approve("b"), T0]);
    expect(r.status).toBe("pending");
    expect(votes(r, [approve("c"), T0]).status).toBe("granted");
  });

  it("any deny vetoes, even after approvals short of the quorum", () => {
    const r = votes(pending({ quorum: 2 }), [approve("alice"), T0 + 1], [deny("bob"), T0 + 2]);
    expect(r).toMatchObject({ status: "denied", decidedAt: T0 + 2, statusReason: "denied by bob" });
    const first = votes(pending({ quorum: 3 }), [deny("carol"), T0 + 1]);
    expect(first.status).toBe("denied");
  });

  it("a decided request takes no more votes: not a late deny, not a late approval", () => {
    const g = votes(pending(), [approve("alice"), T0]);
    expect(applyVote(g, deny("bob"), T0 + 1)).toMatchObject({
      ok: false,
      refusal: { code: "not-pending", reason: "the approval request is already granted" },
    });
    const d = votes(pending({ quorum: 2 }), [deny("bob"), T0]);
    expect(applyVote(d, approve("alice"), T0 + 1)).toMatchObject({
      ok: false,
      refusal: { code: "not-pending" },
    });
  });

  it("the requesting agent cannot approve (or deny) its own request", () => {
    const r = frozen(pending());
    for (const v of [approve("ops-bot"), deny("ops-bot")]) {
      const out = applyVote(r, v, T0);
      expect(out).toMatchObject({ ok: false, refusal: { code: "self-approval" } });
      expect(out.ok === false && out.changed).toBeFalsy();
    }
  });

  it("an approver counts once: a second vote is refused, and the quorum is not reached", () => {
    const one = votes(pending({ quorum: 2 }), [approve("alice"), T0]);
    const again = applyVote(one, approve("alice"), T0 + 1);
    expect(again).toMatchObject({ ok: false, refusal: { code: "duplicate-vote" } });
    expect(again.request?.votes).toHaveLength(1);
    expect(applyVote(one, deny("alice"), T0 + 1)).toMatchObject({
      refusal: { code: "duplicate-vote" },
    });
  });

  it("refuses malformed votes", () => {
    const r = pending();
    for (const v of [
      { approver: "", verdict: "approve" },
      { approver: "alice", verdict: "yes" },
      { approver: "alice", verdict: "approve", comment: "x".repeat(2001) },
      { approver: "alice", verdict: "approve", comment: 42 },
      { verdict: "approve" },
    ] as unknown as VoteInput[])
      expect(applyVote(r, v, T0)).toMatchObject({ ok: false, refusal: { code: "invalid-vote" } });
  });

  it("a vote at or after expiresAt is refused and the request becomes expired", () => {
    const r = frozen(pending({ quorum: 2 }));
    expect(granted(applyVote(r, approve("alice"), EXPIRES - 1)).status).toBe("pending");
    const late = applyVote(r, approve("alice"), EXPIRES);
    expect(late).toMatchObject({
      ok: false,
      changed: true,
      refusal: { code: "expired" },
      request: {
        status: "expired",
        decidedAt: EXPIRES,
        statusReason: "expired undecided (0 of 2 approvals)",
      },
    });
    // Once expired, it stays refused, and nothing more changes.
    const after = applyVote(late.request as ApprovalRequest, approve("bob"), EXPIRES + 1);
    expect(after).toMatchObject({ ok: false, refusal: { code: "expired" } });
    expect(after.ok === false && after.changed).toBeFalsy();
  });
});

describe("using an approval", () => {
  const grantedA = () => votes(pending(), [approve("alice"), T0 + 1]);

  it("a granted approval is used once, for its own action", () => {
    const used = granted(consume(frozen(grantedA()), HASH_A, T0 + 2));
    expect(used).toMatchObject({ status: "used", usedAt: T0 + 2, decidedAt: T0 + 1 });
    expect(consume(used, HASH_A, T0 + 3)).toMatchObject({
      ok: false,
      refusal: { code: "already-used" },
    });
  });

  it("an approval of action A cannot be used for action B, and stays usable for A", () => {
    const g = frozen(grantedA());
    const other = consume(g, HASH_B, T0 + 2);
    expect(other).toMatchObject({ ok: false, refusal: { code: "hash-mismatch" } });
    expect(other.request?.status).toBe("granted");
    expect(granted(consume(g, HASH_A, T0 + 3)).status).toBe("used");
  });

  it("pending, denied and cancelled requests cannot be used", () => {
    expect(consume(pending(), HASH_A, T0)).toMatchObject({
      refusal: { code: "not-granted", reason: "the approval request is pending, not granted" },
    });
    const d = votes(pending(), [deny("bob"), T0]);
    expect(consume(d, HASH_A, T0)).toMatchObject({ refusal: { code: "not-granted" } });
    const c = granted(cancel(grantedA(), "changed my mind", T0 + 2));
    expect(consume(c, HASH_A, T0 + 3)).toMatchObject({ refusal: { code: "not-granted" } });
  });

  it("a grant not used before expiresAt expires", () => {
    const g = frozen(grantedA());
    expect(granted(consume(g, HASH_A, EXPIRES - 1)).status).toBe("used");
    expect(consume(g, HASH_A, EXPIRES)).toMatchObject({
      ok: false,
      changed: true,
      refusal: { code: "expired" },
      request: { status: "expired", statusReason: "granted but not used before it expired" },
    });
  });
});

describe("cancel and expire", () => {
  it("cancels a pending request or an unused grant, not a used one", () => {
    expect(granted(cancel(pending(), "call abandoned", T0 + 5))).toMatchObject({
      status: "cancelled",
      decidedAt: T0 + 5,
      statusReason: "call abandoned",
    });
    const g = votes(pending(), [approve("alice"), T0]);
    expect(granted(cancel(g, "revoked", T0 + 1)).status).toBe("cancelled");
    const used = granted(consume(g, HASH_A, T0 + 1));
    expect(cancel(used, "too late", T0 + 2)).toMatchObject({ refusal: { code: "not-pending" } });
    expect(cancel(pending(), "late", EXPIRES)).toMatchObject({
      changed: true,
      refusal: { code: "expired" },
    });
  });

  it("expire marks only overdue pending or granted requests", () => {
    const p = frozen(pending());
    expect(expire(p, EXPIRES - 1)).toBeUndefined();
    expect(expire(p, EXPIRES)).toMatchObject({ status: "expired", decidedAt: EXPIRES });
    const g = votes(pending(), [approve("alice"), T0]);
    expect(expire(g, EXPIRES)?.status).toBe("expired");
    expect(expire(granted(consume(g, HASH_A, T0 + 1)), EXPIRES)).toBeUndefined();
    expect(expire(votes(pending(), [deny("bob"), T0]), EXPIRES)).toBeUndefined();
  });
});
