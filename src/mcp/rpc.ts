import type {
  JSONRPCErrorResponse,
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCRequest,
  JSONRPCResultResponse,
  RequestId,
} from "@modelcontextprotocol/sdk/types.js";

/**
 * JSON-RPC shapes. The SDK transports have already validated each message against the schema
 * when it arrives, so these only tell the four kinds apart, cheaply.
 */

export type { JSONRPCMessage, RequestId };
export type Request = JSONRPCRequest;
export type Notification = JSONRPCNotification;
export type Result = JSONRPCResultResponse;
export type ErrorResponse = JSONRPCErrorResponse;
export type Response = Result | ErrorResponse;

export function isRequest(m: JSONRPCMessage): m is Request {
  return "method" in m && "id" in m;
}
export function isNotification(m: JSONRPCMessage): m is Notification {
  return "method" in m && !("id" in m);
}
export function isResponse(m: JSONRPCMessage): m is Response {
  return !("method" in m) && ("result" in m || "error" in m);
}
export function isError(m: Response): m is ErrorResponse {
  return "error" in m;
}

/** Error codes: JSON-RPC's own, and Redline's in the implementation-defined range. */
export const CODES = {
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internal: -32603,
  /** The upstream server exited, hung or could not be reached. */
  upstream: -32010,
  /** The policy denied the request (methods without an isError result: reads, prompts). */
  denied: -32011,
  /** The agent's credential was refused. */
  unauthenticated: -32012,
} as const;

export function errorResponse(
  id: RequestId,
  code: number,
  message: string,
  data?: unknown,
): ErrorResponse {
  const error: ErrorResponse["error"] = { code, message };
  if (data !== undefined) error.data = data;
  return { jsonrpc: "2.0", id, error };
}

export function resultResponse(id: RequestId, result: Record<string, unknown>): Result {
  return { jsonrpc: "2.0", id, result } as Result;
}

/** The progress token a request carries, if its sender asked for progress notifications. */
export function progressToken(params: unknown): string | number | undefined {
  const meta = (params as { _meta?: { progressToken?: unknown } } | undefined)?._meta;
  const t = meta?.progressToken;
  return typeof t === "string" || typeof t === "number" ? t : undefined;
}
