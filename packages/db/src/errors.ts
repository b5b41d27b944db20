/** Typed errors of the data layer; the API's error handler maps `code` to an HTTP status. */
export class NotFoundError extends Error {
  readonly code = "not_found";
  constructor(what: string, id: string) {
    super(`${what} ${id} not found`);
  }
}

export class ConflictError extends Error {
  readonly code = "conflict";
}

/** Socket-level codes of a database that cannot be reached or dropped the connection. */
const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT", "EPIPE", "EAI_AGAIN"]);

/**
 * Did a statement fail because the connection did (the server unreachable, the link cut, the
 * socket dropped), not because of what it asked? Such a failure says nothing about the statement:
 * the same statement may succeed once the network is back.
 */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string" && CONNECTION_CODES.has(code)) return true;
  // pg reports a socket that closed under a query, or a connect that timed out, by message only.
  return err instanceof Error && /^Connection terminated|timeout exceeded when trying to connect/i.test(err.message);
}
