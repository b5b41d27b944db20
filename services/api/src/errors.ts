import type { Issue } from "@hps/contracts";

/** A well-formed spec the service cannot run (impossible architecture, ...): 422 with issues. */
export class UnprocessableSpec extends Error {
  readonly code = "unprocessable";
  constructor(readonly issues: Issue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join("; "));
    this.name = "UnprocessableSpec";
  }
}

/** A malformed opaque cursor or changedSince value: 400 naming the query parameter. */
export class InvalidCursor extends Error {
  readonly code = "invalid_request";
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
    this.name = "InvalidCursor";
  }
}

/** The request body is not valid JSON: 400 with path "". */
export class MalformedJson extends Error {
  readonly code = "invalid_request";
  readonly statusCode = 400;
  constructor(detail: string) {
    super(`request body is not valid JSON: ${detail}`);
    this.name = "MalformedJson";
  }
}
