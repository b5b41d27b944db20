/**
 * The one place typed errors become HTTP responses ({error, message?, issues?} of the
 * contract). 5xx responses carry no details; the error is logged with the request id.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import type { ErrorBody } from "@hps/contracts";
import { ConflictError, NotFoundError } from "@hps/db";
import { SearchError } from "@hps/search";
import { ModelInputError } from "@hps/core";
import { DatasetTooLarge, InvalidDataset } from "./csv-upload.ts";
import { InvalidCursor, MalformedJson, UnprocessableSpec } from "./errors.ts";
import { issueOf } from "./spec-checks.ts";
import { RequestValidationError } from "./validation.ts";

interface Mapped {
  status: number;
  body: ErrorBody;
}

export function errorHandler(err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = mapError(err);
  if (status >= 500) request.log.error({ err }, "request failed");
  else request.log.info({ status, error: body.error, issues: body.issues, message: body.message }, "request rejected");
  void reply.code(status).send({ ...body, requestId: request.id });
}

export function mapError(err: FastifyError | Error): Mapped {
  if (err instanceof RequestValidationError) {
    // A malformed id cannot name anything: same answer as an unknown one.
    if (err.part === "params") return { status: 404, body: { error: "not_found" } };
    return err.unprocessable
      ? { status: 422, body: { error: "unprocessable", issues: err.issues } }
      : { status: 400, body: { error: "invalid_request", issues: err.issues } };
  }
  if (err instanceof MalformedJson) return { status: 400, body: { error: "invalid_request", message: err.message, issues: [{ path: "", message: err.message }] } };
  if (err instanceof InvalidCursor) return { status: 400, body: { error: "invalid_request", issues: [{ path: err.param, message: err.message }] } };
  if (err instanceof SearchError) return { status: 422, body: { error: "unprocessable", issues: [issueOf(err)] } };
  if (err instanceof UnprocessableSpec) return { status: 422, body: { error: "unprocessable", issues: err.issues } };
  if (err instanceof InvalidDataset) return { status: 400, body: { error: "invalid_request", message: err.message, issues: err.issues } };
  if (err instanceof DatasetTooLarge) return { status: 413, body: { error: "payload_too_large", message: err.message } };
  if (err instanceof ModelInputError) return { status: 400, body: { error: "invalid_request", issues: [{ path: `inputs.${err.row}`, message: err.message }] } };
  if (err instanceof NotFoundError) return { status: 404, body: { error: "not_found", message: err.message } };
  if (err instanceof ConflictError) return { status: 409, body: { error: "conflict", message: err.message } };

  const code = (err as FastifyError).code;
  const statusCode = (err as FastifyError).statusCode ?? 500;
  switch (code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { status: 413, body: { error: "payload_too_large", message: err.message } };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return { status: 415, body: { error: "invalid_request", message: "unsupported content-type: send application/json", issues: [{ path: "", message: "content-type must be application/json" }] } };
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return { status: 400, body: { error: "invalid_request", message: err.message, issues: [{ path: "", message: err.message }] } };
  }
  if (statusCode === 404) return { status: 404, body: { error: "not_found" } };
  // @fastify/rate-limit's rejection (issue 8): the documented 429 body.
  if (statusCode === 429) return { status: 429, body: { error: "rate_limited", message: err.message } };
  if (statusCode >= 400 && statusCode < 500) return { status: statusCode, body: { error: "invalid_request", message: err.message } };
  return { status: 500, body: { error: "internal" } };
}
