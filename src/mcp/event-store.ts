import type {
  EventId,
  EventStore,
  StreamId,
} from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { JSONRPCMessage } from "./rpc.js";

/**
 * The events of one HTTP session, kept so an agent whose SSE stream broke can resume it
 * (`Last-Event-ID`) without losing a tool result. Bounded: the oldest events go first, so a
 * long session does not grow without end; a resume from further back replays nothing.
 */
export class BoundedEventStore implements EventStore {
  private readonly events = new Map<EventId, { stream: StreamId; message: JSONRPCMessage }>();
  private next = 1;

  constructor(private readonly max = 1000) {}

  async storeEvent(stream: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const id = `${this.next++}.${stream}`;
    this.events.set(id, { stream, message });
    if (this.events.size > this.max) {
      const oldest = this.events.keys().next().value;
      if (oldest !== undefined) this.events.delete(oldest);
    }
    return id;
  }

  async getStreamIdForEventId(id: EventId): Promise<StreamId | undefined> {
    return this.events.get(id)?.stream;
  }

  async replayEventsAfter(
    last: EventId,
    { send }: { send: (id: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId> {
    const from = this.events.get(last);
    if (!from) return "";
    let after = false;
    for (const [id, e] of this.events) {
      if (id === last) after = true;
      else if (after && e.stream === from.stream) await send(id, e.message);
    }
    return from.stream;
  }
}
