import { describe, expect, it, vi } from "vitest";
import { decisionInput, tempStateDir } from "../audit/test-support/fixtures.js";
import { openSqliteStore } from "../store/sqlite/open.js";
import { AuditFollower } from "./follow.js";

describe("AuditFollower", () => {
  it("delivers each new entry once, in order; without subscribers it only keeps up with the head", async () => {
    const store = openSqliteStore({ dir: tempStateDir() });
    try {
      await store.audit.append(decisionInput(1));
      const follower = new AuditFollower(store.audit, { pollMs: 60_000 });
      await follower.start();
      expect(follower.lastSeq).toBe(1);

      // Nobody listens: the entries are not read at all, only the head is.
      const query = vi.spyOn(store.audit, "query");
      await store.audit.append(decisionInput(2));
      await store.audit.append(decisionInput(3));
      await follower.poll();
      expect(query).not.toHaveBeenCalled();
      expect(follower.lastSeq).toBe(3);

      // A subscriber gets what is appended from then on, not what nobody was listening to.
      const seen: number[] = [];
      const stop = follower.subscribe((e) => seen.push(e.seq));
      await store.audit.append(decisionInput(4));
      await store.audit.append(decisionInput(5));
      await follower.poll();
      await follower.poll();
      expect(seen).toEqual([4, 5]);
      stop();
      follower.stop();
    } finally {
      await store.close();
    }
  });
});
