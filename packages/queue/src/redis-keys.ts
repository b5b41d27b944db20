import { Redis } from "ioredis";

/**
 * Deletes every Redis key under `prefix:` (SCAN + UNLINK). For tests (each uses a unique
 * prefix) and for operators resetting a queue; never call it on a live prefix.
 */
export async function deleteQueueKeys(redisUrl: string, prefix: string): Promise<number> {
  if (!prefix) throw new Error("deleteQueueKeys needs a non-empty prefix");
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      cursor = next;
      if (keys.length) deleted += await redis.unlink(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
  return deleted;
}
