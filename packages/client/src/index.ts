/**
 * @hps/client: a typed client of the hps HTTP API. Request and response types are the contracts'
 * zod schemas (packages/contracts), and every response is parsed with them, so a client never
 * works on a shape the server did not promise. Errors from the API throw HpsApiError carrying
 * the contract's error body (issues with their paths).
 */
import {
  AppendedRound, Dataset, DatasetPage, EnsembleResponse, ErrorBody, PredictResponse, SearchDetail, SearchSummary, TrialPage, TrialWithCurve,
  type RoundEdit, type SearchSpecInput, type TrialListQuery,
} from "@hps/contracts";
import type { z } from "zod";

export interface ClientOptions {
  /** Default http://localhost:3000. */
  baseUrl?: string;
  /** Bearer key for mutating routes (HPS_API_KEY). */
  apiKey?: string;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** A non-2xx answer: `body` is the contract's error body when the server sent one. */
export class HpsApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody | null,
  ) {
    super(`HTTP ${status}${body ? ` ${body.error}${body.message ? `: ${body.message}` : ""}` : ""}`);
    this.name = "HpsApiError";
  }

  /** One line per issue, "path: message" (the whole body when the path is ""). */
  describe(): string[] {
    const issues = this.body?.issues ?? [];
    return issues.length ? issues.map((i) => `${i.path || "(body)"}: ${i.message}`) : [this.message];
  }
}

export interface UploadOptions {
  name: string;
  label: string;
  /** [C, H, W] for image data. */
  shape?: readonly [number, number, number];
}

export class HpsClient {
  readonly baseUrl: string;
  private readonly apiKey: string | undefined;
  private readonly fetchFn: typeof fetch;

  constructor(opts: ClientOptions = {}) {
    this.baseUrl = (opts.baseUrl ?? "http://localhost:3000").replace(/\/+$/, "");
    this.apiKey = opts.apiKey;
    this.fetchFn = opts.fetch ?? fetch;
  }

  submitSearch(spec: SearchSpecInput): Promise<SearchDetail> {
    return this.json(SearchDetail, "POST", "/v1/searches", spec);
  }
  getSearch(id: string): Promise<SearchDetail> {
    return this.json(SearchDetail, "GET", `/v1/searches/${enc(id)}`);
  }
  listTrials(id: string, q: Partial<Pick<TrialListQuery, "order" | "limit" | "status" | "cursor">> = {}): Promise<TrialPage> {
    return this.json(TrialPage, "GET", `/v1/searches/${enc(id)}/trials${query(q)}`);
  }
  getTrial(id: string): Promise<TrialWithCurve> {
    return this.json(TrialWithCurve, "GET", `/v1/trials/${enc(id)}`);
  }
  cancelSearch(id: string): Promise<SearchSummary> {
    return this.json(SearchSummary, "POST", `/v1/searches/${enc(id)}/cancel`);
  }
  /** Appends the user's own round after the search's current one (a completed search runs again). */
  appendRound(id: string, edit: z.input<typeof RoundEdit>): Promise<AppendedRound> {
    return this.json(AppendedRound, "POST", `/v1/searches/${enc(id)}/rounds`, edit);
  }
  uploadDataset(csv: string | Uint8Array, opts: UploadOptions): Promise<Dataset> {
    const q = query({ name: opts.name, label: opts.label, ...(opts.shape ? { shape: opts.shape.join(",") } : {}) });
    return this.json(Dataset, "POST", `/v1/datasets${q}`, csv, "text/csv");
  }
  listDatasets(q: { limit?: number; cursor?: string } = {}): Promise<DatasetPage> {
    return this.json(DatasetPage, "GET", `/v1/datasets${query(q)}`);
  }
  getDataset(id: string): Promise<Dataset> {
    return this.json(Dataset, "GET", `/v1/datasets/${enc(id)}`);
  }
  async deleteDataset(id: string): Promise<void> {
    await this.request("DELETE", `/v1/datasets/${enc(id)}`);
  }
  /** The trial's model file (docs/model-format.md). */
  async getModel(trialId: string): Promise<Uint8Array> {
    const res = await this.request("GET", `/v1/trials/${enc(trialId)}/model`);
    return new Uint8Array(await res.arrayBuffer());
  }
  predict(trialId: string, inputs: number[][]): Promise<PredictResponse> {
    return this.json(PredictResponse, "POST", `/v1/trials/${enc(trialId)}/predict`, { inputs });
  }
  ensemble(searchId: string, k = 5): Promise<EnsembleResponse> {
    return this.json(EnsembleResponse, "POST", `/v1/searches/${enc(searchId)}/ensemble`, { k });
  }

  private async json<S extends z.ZodType>(schema: S, method: string, path: string, body?: unknown, type = "application/json"): Promise<z.infer<S>> {
    const res = await this.request(method, path, body, type);
    return schema.parse(await res.json());
  }

  private async request(method: string, path: string, body?: unknown, type = "application/json"): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    let payload: string | Uint8Array | undefined;
    if (body !== undefined) {
      headers["content-type"] = type;
      payload = type === "application/json" ? JSON.stringify(body) : (body as string | Uint8Array);
    }
    const res = await this.fetchFn(this.baseUrl + path, { method, headers, body: payload as string | undefined });
    if (!res.ok) {
      const text = await res.text();
      let err: ErrorBody | null = null;
      try {
        const parsed = ErrorBody.safeParse(JSON.parse(text));
        err = parsed.success ? parsed.data : null;
      } catch {
        // not JSON: the status says it all
      }
      throw new HpsApiError(res.status, err);
    }
    return res;
  }
}

function enc(id: string): string {
  return encodeURIComponent(id);
}

function query(q: Record<string, string | number | undefined>): string {
  const entries = Object.entries(q).filter((e): e is [string, string | number] => e[1] !== undefined);
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString()}` : "";
}
