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
