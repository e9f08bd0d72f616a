/** Why the store failed, as data: enforcement points put it in the deny reason. */
export type StoreErrorCode = "busy" | "readonly" | "full" | "schema" | "closed" | "io";

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "StoreError";
  }
}

/** Maps a driver error (SQLite codes) onto the store's own vocabulary. */
export function toStoreError(error: unknown, doing: string): StoreError {
  if (error instanceof StoreError) return error;
  const code = (error as { code?: string } | null)?.code ?? "";
  const message = error instanceof Error ? error.message : String(error);
  const kind: StoreErrorCode = code.startsWith("SQLITE_BUSY")
    ? "busy"
    : code.startsWith("SQLITE_LOCKED")
      ? "busy"
      : code.startsWith("SQLITE_READONLY")
        ? "readonly"
        : code.startsWith("SQLITE_FULL")
          ? "full"
          : "io";
  return new StoreError(kind, `${doing}: ${message}${code ? ` (${code})` : ""}`, {
    cause: error,
  });
}
