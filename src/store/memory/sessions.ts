import type { SessionFact, SessionFacts } from "../ports.js";

/** Session facts for one process with no state directory (`redline eval` without --record). */
export class MemorySessionFacts implements SessionFacts {
  private readonly sessions = new Map<string, Map<string, number>>();

  async add(session: string, facts: readonly string[], at: number): Promise<void> {
    const known = this.sessions.get(session) ?? new Map<string, number>();
    this.sessions.set(session, known);
    for (const fact of facts) if (!known.has(fact)) known.set(fact, at);
  }

  async get(session: string): Promise<SessionFact[]> {
    return [...(this.sessions.get(session) ?? [])].map(([fact, at]) => ({ fact, at }));
  }
}
