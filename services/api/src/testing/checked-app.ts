/**
 * An API app whose every `inject` response is checked against the document the app itself
 * serves at /docs/json. The API tests (and the dashboard's) build apps only through this,
 * so every route — including ones added later — is covered without a list of routes.
 */
import type { FastifyInstance, InjectOptions } from "fastify";
import { buildApp, type BuildAppOptions } from "../app.ts";
import { validatorFor, type ValidatorOptions } from "./openapi-validator.ts";

/** The not-found handler's answer on paths the document does not list. */
export const API_VALIDATOR_OPTIONS: ValidatorOptions = { unknownPathSchema: "NotFoundError" };

export async function buildCheckedApp(options: BuildAppOptions): Promise<FastifyInstance> {
  return checkResponses(await buildApp(options));
}

/** Wraps `app.inject(options)` so each response is validated; a mismatch throws a ContractViolation in the test that sent it. */
export async function checkResponses(app: FastifyInstance): Promise<FastifyInstance> {
  const inject = app.inject.bind(app);
  const validator = await validatorFor((await inject({ url: "/docs/json" })).json(), API_VALIDATOR_OPTIONS);
  const checked = async (options: InjectOptions | string) => {
    const res = await inject(options);
    validator.assert({ method: res.raw.req.method ?? "GET", url: res.raw.req.url ?? "/", status: res.statusCode, contentType: res.headers["content-type"] as string | undefined, body: res.body });
    return res;
  };
  Object.defineProperty(app, "inject", {
    configurable: true,
    value: (options?: InjectOptions | string, callback?: unknown) => {
      // The chaining and callback forms would bypass the check: the tests use neither.
      if (options === undefined || callback !== undefined) throw new Error("checked app: call app.inject(options) and await it");
      return checked(options);
    },
  });
  return app;
}
