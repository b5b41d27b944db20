/**
 * The response validator catches drift: a small app generated exactly like the API
 * (openapi.ts's options, onRoute hook and zod compilers) whose routes answer in ways their
 * schemas do not say. Every check the harness makes must be able to fail.
 */
import Fastify, { type FastifyInstance, type FastifySchema } from "fastify";
import fastifySwagger from "@fastify/swagger";
import { serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { IdParams, StopReason } from "@hps/contracts";
import { documentCommonStatuses, swaggerOptions } from "../openapi.ts";
import { API_VALIDATOR_OPTIONS, checkResponses } from "./checked-app.ts";
import { ContractViolation } from "./openapi-validator.ts";

const Thing = z.object({ n: z.int(), reason: StopReason.nullable() });
const ID = "6f1c1a3e-2b0c-4d1e-9f00-0a1b2c3d4e5f";

async function driftingApp(): Promise<FastifyInstance> {
  // No type provider: these routes answer against their schemas on purpose.
  const app = Fastify();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: "nope" }));
  app.addHook("onRoute", documentCommonStatuses);
  await app.register(fastifySwagger, swaggerOptions);
  app.get("/docs/json", { schema: { hide: true } }, async () => app.swagger());
  const route: FastifySchema = { params: IdParams, response: { 200: Thing } };
  // Matches its schema: a nullable enum answering null.
  app.get("/things/:id", { schema: route }, async () => ({ n: 1, reason: null }));
  // A status the operation does not document.
  app.get("/things/:id/undocumented", { schema: route }, async (_request, reply) => reply.code(203).send({ n: 1, reason: null }));
  // A pre-serialized body skips the serializer: a string where an integer is documented.
  app.get("/things/:id/raw", { schema: route }, async (_request, reply) => reply.type("application/json").send('{"n":"1","reason":"bogus"}'));
  // A content-type the operation does not document.
  app.get("/things/:id/html", { schema: route }, async (_request, reply) => reply.type("text/html").send("<p>1</p>"));
  // A documented status (404 from the hook) whose body is not the documented error body.
  app.get("/things/:id/missing", { schema: route }, async (_request, reply) => reply.code(404).type("application/json").send('{"error":"gone"}'));
  await app.ready();
  return checkResponses(app);
}

describe("the response validator", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await driftingApp();
  });
  afterAll(async () => {
    await app.close();
  });

  const problems = async (url: string): Promise<string[]> => {
    try {
      await app.inject({ url });
      return [];
    } catch (err) {
      if (!(err instanceof ContractViolation)) throw err;
      return err.problems;
    }
  };

  it("lets a response that matches the document through (a nullable enum answering null)", async () => {
    const res = await app.inject({ url: `/things/${ID}` });
    expect(res.json()).toEqual({ n: 1, reason: null });
  });

  it("fails a status the operation does not document", async () => {
    expect(await problems(`/things/${ID}/undocumented`)).toEqual([expect.stringMatching(/status 203 is not documented for GET \/things\/\{id\}\/undocumented/)]);
  });

  it("fails a body that does not match its schema, naming each field", async () => {
    const found = await problems(`/things/${ID}/raw`);
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/body\/n must be integer/), expect.stringMatching(/body\/reason/)]));
  });

  it("fails an undocumented content-type", async () => {
    expect(await problems(`/things/${ID}/html`)).toEqual([expect.stringMatching(/content-type text\/html is not documented/)]);
  });

  it("fails a documented error status with the wrong body", async () => {
    expect(await problems(`/things/${ID}/missing`)).toEqual([expect.stringMatching(/404: body\/error must be equal to constant/)]);
  });

  it("checks the not-found handler's JSON on paths the document does not list", async () => {
    expect(API_VALIDATOR_OPTIONS.unknownPathSchema).toBe("NotFoundError");
    expect(await problems("/nowhere")).toEqual([expect.stringMatching(/unknown path 404 \(NotFoundError\): body\/error must be equal to constant/)]);
  });
});
