/**
 * vitest globalSetup: finds the real Postgres and Redis the integration tests talk to.
 * Order: DATABASE_URL / REDIS_URL from the environment; else the default local ports
 * (127.0.0.1:5432 / :6379, as .ci/run and most dev machines have); else testcontainers
 * when a container runtime exists; else a clear error. Never a mock.
 * The resolved URLs are exported through process.env to the test workers.
 */
import net from "node:net";

const DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres";
const DEFAULT_REDIS = "redis://127.0.0.1:6379";

export default async function setup(): Promise<() => Promise<void>> {
  const stops: Array<() => Promise<unknown>> = [];
  if (!process.env.DATABASE_URL) {
    if (await portOpen(5432)) process.env.DATABASE_URL = DEFAULT_PG;
    else {
      const c = await container("postgres:16", 5432, { POSTGRES_PASSWORD: "postgres" });
      stops.push(c.stop);
      process.env.DATABASE_URL = `postgresql://postgres:postgres@${c.host}:${c.port}/postgres`;
    }
  }
  if (!process.env.REDIS_URL) {
    if (await portOpen(6379)) process.env.REDIS_URL = DEFAULT_REDIS;
    else {
      const c = await container("redis:7", 6379, {});
      stops.push(c.stop);
      process.env.REDIS_URL = `redis://${c.host}:${c.port}`;
    }
  }
  return async () => {
    for (const stop of stops) await stop();
  };
}

async function container(image: string, port: number, env: Record<string, string>) {
  try {
    const { GenericContainer, Wait } = await import("testcontainers");
    const started = await new GenericContainer(image)
      .withEnvironment(env)
      .withExposedPorts(port)
      .withWaitStrategy(port === 5432 ? Wait.forLogMessage(/ready to accept connections/, 2) : Wait.forListeningPorts())
      .start();
    return { host: started.getHost(), port: started.getMappedPort(port), stop: () => started.stop() };
  } catch (err) {
    throw new Error(
      `No ${image.split(":")[0]} for the integration tests: set DATABASE_URL / REDIS_URL, run one on the default local port, ` +
        `or provide a container runtime for testcontainers (${(err as Error).message})`,
    );
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.setTimeout(500, () => { s.destroy(); res(false); });
    s.once("connect", () => { s.destroy(); res(true); });
    s.once("error", () => res(false));
  });
}
