/**
 * Wake-ups between processes through Postgres LISTEN/NOTIFY: the API (new search,
 * cancel) and workers (trial finished) nudge the scheduler, which also polls as a
 * fallback — a lost notification only delays, never loses, work. Postgres stays the truth.
 */
import pg from "pg";
import type { PrismaClient } from "./client.ts";

export const WAKE_CHANNEL = "hps_scheduler_wake";

/** Sends a wake-up (payload: a search id or any short hint). */
export async function notifyScheduler(prisma: PrismaClient, hint = ""): Promise<void> {
  await prisma.$executeRaw`SELECT pg_notify(${WAKE_CHANNEL}, ${hint})`;
}

export interface WakeListener {
  close(): Promise<void>;
}

/** Calls `onWake(hint)` for every notification; reconnects after connection loss. */
export async function listenForWakeups(url: string, onWake: (hint: string) => void): Promise<WakeListener> {
  let closed = false;
  let client: pg.Client | null = null;
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    c.on("notification", (n) => onWake(n.payload ?? ""));
    c.on("error", () => {
      if (!closed) setTimeout(() => void connect().catch(() => {}), 1000);
    });
    await c.connect();
    await c.query(`LISTEN ${WAKE_CHANNEL}`);
    client = c;
    onWake(""); // we may have missed notifications while disconnected
  };
  await connect();
  return {
    close: async () => {
      closed = true;
      await client?.end().catch(() => {});
    },
  };
}
