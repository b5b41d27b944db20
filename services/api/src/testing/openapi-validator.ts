/**
 * Checks real responses against the served OpenAPI document with libraries nobody here
 * wrote: @apidevtools/swagger-parser validates and dereferences the document, ajv (JSON
 * Schema 2020-12, OpenAPI 3.1's dialect) validates each body. Tests only: the API tests'
 * app.inject and the end-to-end tests' fetch both go through `assert`, so a route whose
 * answer drifts from its contract fails the test that received it.
 */
import SwaggerParser from "@apidevtools/swagger-parser";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

// ajv-formats is CommonJS with `exports.default`; under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => void;

/** One response as a client saw it. */
export interface ObservedResponse {
  method: string;
  /** Path and query as requested ("/v1/searches?limit=2") or an absolute URL. */
  url: string;
  status: number;
  contentType?: string | undefined;
  body: string;
}

export class ContractViolation extends Error {
  constructor(
    readonly response: ObservedResponse,
    readonly problems: string[],
  ) {
    const excerpt = response.body.length > 600 ? `${response.body.slice(0, 600)}…` : response.body;
    super(`${response.method} ${response.url} → ${response.status} does not match the OpenAPI document:\n  - ${problems.join("\n  - ")}\n  body: ${excerpt}`);
    this.name = "ContractViolation";
  }
}

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: object }> }>;
}
interface PathEntry {
  template: string;
  pattern: RegExp;
  params: number;
  operations: Record<string, Operation>;
}

export interface ValidatorOptions {
  /**
   * Component that a JSON 404 on a path the document does not list must match (the
   * not-found handler's); other answers there (dashboard files, Swagger UI, the document
   * itself) come from routes that are not part of the API and are not checked.
   */
  unknownPathSchema?: string;
}

export class ResponseValidator {
  private readonly paths: PathEntry[];
  private readonly ajv = new Ajv2020({ allErrors: true, strict: true });
  private readonly compiled = new Map<object, ValidateFunction>();

  private constructor(
    private readonly document: { paths?: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, object> } },
    private readonly options: ValidatorOptions,
  ) {
    addFormats(this.ajv);
    // OpenAPI 3.1's own Schema Object keywords (annotations for a validator).
    this.ajv.addVocabulary(["discriminator", "xml", "externalDocs", "example"]);
    this.paths = Object.entries(document.paths ?? {}).map(([template, operations]) => ({
      template,
      // A path parameter is one non-empty segment.
      pattern: new RegExp(`^${template.split(/\{[^}]+\}/).map(escapeRegExp).join("[^/]+")}$`),
      params: (template.match(/\{[^}]+\}/g) ?? []).length,
      operations,
    }));
    // Literal paths before templated ones ("/v1/searches/x" never shadows a literal sibling).
    this.paths.sort((a, b) => a.params - b.params);
  }

  /** Validates the document with swagger-parser (throws naming the problem) and builds a validator over its dereferenced form. */
  static async fromDocument(document: unknown, options: ValidatorOptions = {}): Promise<ResponseValidator> {
    const dereferenced = await SwaggerParser.validate(structuredClone(document) as never);
    return new ResponseValidator(dereferenced as never, options);
  }

  /** Throws a ContractViolation listing every problem; returns quietly when the response matches. */
  assert(response: ObservedResponse): void {
    const problems = this.check(response);
    if (problems.length > 0) throw new ContractViolation(response, problems);
  }

  /** Every way the response differs from the document ([] = it matches). */
  check(response: ObservedResponse): string[] {
    const method = response.method.toLowerCase();
    const pathname = new URL(response.url, "http://x").pathname;
    const entry = this.paths.find((p) => p.pattern.test(pathname) && (p.operations[method] || (method === "head" && p.operations.get)));
    if (!entry) return this.checkUnknownPath(response);
    const operation = (entry.operations[method] ?? entry.operations.get)!;
    const where = `${response.method.toUpperCase()} ${entry.template}`;
    const responses = operation.responses ?? {};
    const status = String(response.status);
    const documented = responses[status] ?? responses[`${status[0]}XX`] ?? responses.default;
    if (!documented) return [`status ${status} is not documented for ${where} (documented: ${Object.keys(responses).join(", ")})`];
    if (method === "head") return [];
    return this.checkBody(response, documented.content, `${where} ${status}`);
  }

  private checkUnknownPath(response: ObservedResponse): string[] {
    const name = this.options.unknownPathSchema;
    if (!name || !isJson(mediaType(response.contentType))) return [];
    const schema = this.document.components?.schemas?.[name];
    if (!schema) return [`the document has no component ${name}`];
    // Other answers there come from hidden routes (the document itself at /docs/json).
    if (response.status !== 404) return [];
    return this.validate(schema, response.body, true, `unknown path 404 (${name})`);
  }

  private checkBody(response: ObservedResponse, content: Record<string, { schema?: object }> | undefined, where: string): string[] {
    if (!content || Object.keys(content).length === 0) {
      return response.body.length === 0 ? [] : [`${where} documents no body, but one of ${response.body.length} bytes was sent`];
    }
    const type = mediaType(response.contentType);
    const media = content[type] ?? content[`${type.split("/")[0]}/*`] ?? content["*/*"];
    if (!media) return [`${where}: content-type ${response.contentType ?? "(none)"} is not documented (documented: ${Object.keys(content).join(", ")})`];
    if (!media.schema) return [];
    return this.validate(media.schema, response.body, isJson(type), where);
  }

  private validate(schema: object, body: string, json: boolean, where: string): string[] {
    let data: unknown = body;
    if (json) {
      try {
        data = JSON.parse(body);
      } catch {
        return [`${where}: the body is not JSON`];
      }
    }
    return this.schemaProblems(schema, data).map((p) => `${where}: ${p}`);
  }

  /** How `data` fails `schema` (a schema of the dereferenced document); [] = it matches. */
  schemaProblems(schema: object, data: unknown): string[] {
    let validate = this.compiled.get(schema);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.compiled.set(schema, validate);
    }
    if (validate(data)) return [];
    return (validate.errors ?? []).slice(0, 10).map((e) => `body${e.instancePath} ${e.message}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ""}`);
  }

  /** The document, dereferenced (no $ref left). */
  get dereferenced(): unknown {
    return this.document;
  }
}

const byDocument = new Map<string, Promise<ResponseValidator>>();

/** One validator per distinct document text (test files build many apps serving the same document). */
export function validatorFor(document: unknown, options: ValidatorOptions = {}): Promise<ResponseValidator> {
  const key = JSON.stringify([document, options]);
  let v = byDocument.get(key);
  if (!v) {
    v = ResponseValidator.fromDocument(document, options);
    byDocument.set(key, v);
  }
  return v;
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

function isJson(type: string): boolean {
  return type === "application/json" || type.endsWith("+json");
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
