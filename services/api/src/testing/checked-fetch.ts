/**
 * `fetch` for end-to-end tests: each response from an hps API is checked against the
 * document that server serves at /docs/json (fetched once per origin), so real HTTP
 * answers are held to the same contract as injected ones.
 */
import { validatorFor, type ResponseValidator } from "./openapi-validator.ts";
import { API_VALIDATOR_OPTIONS } from "./checked-app.ts";

const byOrigin = new Map<string, Promise<ResponseValidator>>();

function validatorAt(origin: string): Promise<ResponseValidator> {
  let v = byOrigin.get(origin);
  if (!v) {
    v = fetch(`${origin}/docs/json`)
      .then((res) => {
        if (!res.ok) throw new Error(`GET ${origin}/docs/json → ${res.status}`);
        return res.json();
      })
      .then((doc) => validatorFor(doc, API_VALIDATOR_OPTIONS));
    // A failed fetch (the server was still starting) is retried by the next request.
    v.catch(() => byOrigin.delete(origin));
    byOrigin.set(origin, v);
  }
  return v;
}

export async function checkedFetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(url, init);
  const body = await res.clone().text();
  const target = new URL(url);
  const validator = await validatorAt(target.origin);
  validator.assert({
    method: init.method ?? "GET",
    url: target.pathname + target.search,
    status: res.status,
    contentType: res.headers.get("content-type") ?? undefined,
    body,
  });
  return res;
}
