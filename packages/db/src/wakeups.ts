/**
 * Wake-ups between processes through Postgres LISTEN/NOTIFY: the API (new search,
 * cancel) and workers (trial finished) nudge the scheduler, which also polls as a
 * fallback — a lost notification only delays, never loses, work. Postgres stays the truth.
 */
import pg from "pg";
import type { Conn } from "./connection.ts";

export const WAKE_CHANNEL = "hps_scheduler_wake";

/** Sends a wake-up (payload: a search id or any short hint). */
export async function notifyScheduler(c: Conn, hint = ""): Promise<void> {
  await c.prisma.$executeRaw`SELECT pg_notify(${WAKE_CHANNEL}, ${hint})`;
}

export interface WakeListener {
  close(): Promise<void>;
}

export interface WakeListenerOptions {
  /** Delay before each reconnect attempt after a lost connection, ms (default 1000). */
  retryMs?: number;
  /** Called when the connection is lost, once a reconnect is pending (for logs and tests). */
  onConnectionLost?: (err: unknown) => void;
  /** Called with the error of every failed reconnect attempt (default: ignored; the next attempt follows). */
  onReconnectError?: (err: unknown) => void;
}

/**
 * Calls `onWake(hint)` for every notification. After a lost connection it reconnects every
 * `retryMs` (1 s) until it succeeds (one attempt pending at a time); close() cancels a pending attempt
 * and ends whichever connection is open, so nothing is left behind.
 */
export async function listenForWakeups(url: string, onWake: (hint: string) => void, opts: WakeListenerOptions = {}): Promise<WakeListener> {
  const retryMs = opts.retryMs ?? 1000;
  let closed = false;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | null = null;
  const scheduleReconnect = (): void => {
    if (closed || retry) return; // a connection may report several errors: one attempt at a time
    retry = setTimeout(() => {
      retry = null;
      void connect().catch((err: unknown) => {
        opts.onReconnectError?.(err);
        scheduleReconnect();
      });
    }, retryMs);
  };
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    c.on("notification", (n) => onWake(n.payload ?? ""));
    c.on("error", (err) => {
      if (client === c) client = null;
      void c.end().catch(() => {});
      scheduleReconnect();
      opts.onConnectionLost?.(err);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${WAKE_CHANNEL}`);
    } catch (err) {
      await c.end().catch(() => {});
      throw err;
    }
    if (closed) {
      await c.end().catch(() => {});
      return;
    }
    client = c;
    onWake(""); // we may have missed notifications while disconnected
  };
  await connect();
  return {
    close: async () => {
      closed = true;
      if (retry) clearTimeout(retry);
      retry = null;
      await client?.end().catch(() => {});
      client = null;
    },
  };
}
