// @ts-check
/**
 * The dashboard's only I/O: GETs against the HTTP API with conditional requests (the last
 * ETag of each URL goes out as If-None-Match; a 304 answers with the body held), and the
 * POSTs (submit, cancel, next round); all with the bearer key the user entered (kept in localStorage), if any.
 */

export const KEY_STORAGE = "hps.apiKey";
/** URLs whose last response (ETag + body) is kept; the oldest is dropped beyond this. */
const CACHE_LIMIT = 300;

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status (0: the request did not reach the API)
   * @param {string} message
   * @param {Array<{path: string, message: string}>} [issues] a 400/422's field issues, each with its path
   */
  constructor(status, message, issues = []) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.issues = issues;
  }
}

/**
 * @typedef {{body: any, changed: boolean}} GetResult changed: false when the API answered 304
 * @typedef {Pick<Storage, "getItem" | "setItem" | "removeItem">} KeyStore
 */

export class Api {
  /**
   * @param {{base?: string, fetch?: typeof fetch, storage?: KeyStore}} [opts]
   */
  constructor({ base = "", fetch: fetchImpl = globalThis.fetch.bind(globalThis), storage = globalThis.localStorage } = {}) {
    this.base = base;
    this.fetch = fetchImpl;
    this.storage = storage;
    /** @type {Map<string, {etag: string, body: any}>} */
    this.cache = new Map();
  }

  /** The bearer key for mutating routes ("" when none). */
  get key() {
    return this.storage?.getItem(KEY_STORAGE) ?? "";
  }

  /** @param {string} key */
  set key(key) {
    if (key) this.storage?.setItem(KEY_STORAGE, key);
    else this.storage?.removeItem(KEY_STORAGE);
  }

  /**
   * GET a JSON resource; `changed` is false (and the body the held one) on 304.
   * @param {string} path e.g. "/v1/searches/…"
   * @returns {Promise<GetResult>}
   */
  async get(path) {
    const held = this.cache.get(path);
    /** @type {Record<string, string>} */
    const headers = { accept: "application/json" };
    if (held) headers["if-none-match"] = held.etag;
    // Reads need a key too when the API has HPS_READ_KEYS.
    if (this.key) headers.authorization = `Bearer ${this.key}`;
    const res = await this.request(path, { headers, cache: "no-store" });
    if (res.status === 304 && held) {
      this.remember(path, held);
      return { body: held.body, changed: false };
    }
    if (!res.ok) throw await errorOf(res);
    const body = await res.json();
    const etag = res.headers.get("etag");
    if (etag) this.remember(path, { etag, body });
    return { body, changed: true };
  }

  /**
   * POST /v1/searches/:id/cancel with the stored key (if any). Resolves to the search summary.
   * @param {string} searchId
   */
  cancel(searchId) {
    return this.post(`/v1/searches/${encodeURIComponent(searchId)}/cancel`);
  }

  /**
   * POST a JSON body (none when undefined) with the stored key; resolves to the response's JSON.
   * A 400/422 rejects with an ApiError carrying the API's issues (field paths).
   * @param {string} path
   * @param {unknown} [body]
   */
  async post(path, body) {
    /** @type {Record<string, string>} */
    const headers = { accept: "application/json" };
    if (this.key) headers.authorization = `Bearer ${this.key}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await this.request(path, { method: "POST", headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) throw await errorOf(res);
    return res.json();
  }

  /**
   * @param {string} path
   * @param {RequestInit} init
   */
  async request(path, init) {
    try {
      return await this.fetch(this.base + path, init);
    } catch (err) {
      throw new ApiError(0, `API unreachable (${err instanceof Error ? err.message : String(err)})`);
    }
  }

  /**
   * @param {string} path
   * @param {{etag: string, body: any}} entry
   */
  remember(path, entry) {
    this.cache.delete(path);
    this.cache.set(path, entry);
    if (this.cache.size > CACHE_LIMIT) this.cache.delete(/** @type {string} */ (this.cache.keys().next().value));
  }
}

/**
 * An ApiError from an error response: the API's `{error, message}` when it sent one.
 * @param {Response} res
 */
async function errorOf(res) {
  let detail = res.statusText;
  /** @type {Array<{path: string, message: string}>} */
  let issues = [];
  try {
    const body = await res.json();
    detail = [body.error, body.message].filter(Boolean).join(": ") || detail;
    if (Array.isArray(body.issues)) issues = body.issues.map((/** @type {any} */ i) => ({ path: String(i.path ?? ""), message: String(i.message ?? "") }));
  } catch {
    // not JSON: keep the status text
  }
  return new ApiError(res.status, `${res.status} ${detail}`, issues);
}
