import type { HpsClient } from "@hps/client";
import type { Trial } from "@hps/contracts";

/** Every trial of a search, best rank first (follows the cursor pages). */
export async function allTrials(client: HpsClient, searchId: string): Promise<Trial[]> {
  const out: Trial[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTrials(searchId, { order: "rank", limit: 100, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}
