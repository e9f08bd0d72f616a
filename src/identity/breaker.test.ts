import { describe, expect, it } from "vitest";
import { MemoryCounters } from "../store/memory/counters.js";
import { CircuitBreaker, type Quarantine } from "./breaker.js";

describe("circuit breaker", () => {
  it("trips on the Nth denial within the window, emits an event, and holds the agent", async () => {
    const breaker = new CircuitBreaker({ denials: 3, windowSeconds: 60 }, new MemoryCounters());
    const events: Quarantine[] = [];
    breaker.on("quarantine", (q) => events.push(q));
    expect(await breaker.denied("a", 0)).toBeUndefined();
    expect(await breaker.denied("a", 10_000)).toBeUndefined();
    expect(await breaker.identity("a")).toBeUndefined();
    const q = await breaker.denied("a", 20_000);
    expect(q).toEqual({ agent: "a", at: 20_000, reason: "circuit breaker: 3 denials within 60s" });
    expect(events).toEqual([q]);
    expect(await breaker.identity("a")).toEqual({ status: "quarantined", reason: q?.reason });
    expect(await breaker.identity("b")).toBeUndefined();
  });

  it("forgets denials that left the window", async () => {
    const breaker = new CircuitBreaker({ denials: 2, windowSeconds: 60 }, new MemoryCounters());
    await breaker.denied("a", 0);
    expect(await breaker.denied("a", 61_000)).toBeUndefined();
    expect(await breaker.denied("a", 62_000)).toBeDefined();
  });
});
