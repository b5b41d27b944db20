/**
 * A network namespace joined to the host by a veth pair, for partition tests. The host side is
 * 10.200.X.1/30, the namespace side 10.200.X.2/30 (X random per run, so parallel runs do not
 * collide). Postgres and Redis listen on 127.0.0.1 only, which a namespace cannot reach, so a TCP
 * forwarder in this process listens on the host side address and pipes each connection to
 * 127.0.0.1: cutting the veth then cuts the namespaced process off exactly as a pulled cable
 * would (packets vanish, no RST), while the host's own connections are untouched.
 */
import { execFileSync } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import net from "node:net";

function ip(...args: string[]): void {
  execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });
}

/** Why network namespaces cannot be made here (null when they can): tries to make and remove one. */
export function netnsUnavailable(): string | null {
  if (process.platform !== "linux") return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return "network namespaces need root (ip netns add)";
  const probe = `hps-probe-${randomBytes(3).toString("hex")}`;
  try {
    ip("netns", "add", probe);
    ip("netns", "del", probe);
    return null;
  } catch (err) {
    return `ip netns add failed: ${(err as { stderr?: Buffer }).stderr?.toString().trim() || String(err)}`;
  }
}

export interface Forward {
  /** Port on the host side address. */
  port: number;
  /** Where it goes on the host's loopback. */
  target: number;
}

export interface NetnsLink {
  name: string;
  hostAddr: string;
  /** Prefix for spawn: runs a command inside the namespace (`ip netns exec` execs it). */
  wrap: string[];
  /** Takes the host side of the veth down: the namespace loses its only route. */
  cut(): void;
  restore(): void;
  /** Stops the forwarders and removes the veth and the namespace; safe to call twice or after a failed setup. */
  destroy(): Promise<void>;
}

export async function createNetnsLink(forwards: readonly Forward[]): Promise<NetnsLink> {
  const tag = randomBytes(3).toString("hex");
  const name = `hps-part-${tag}`;
  const hostIf = `hpsh${tag}`; // interface names are at most 15 characters
  const nsIf = `hpsn${tag}`;
  const x = randomInt(1, 254);
  const hostAddr = `10.200.${x}.1`;
  const nsAddr = `10.200.${x}.2`;
  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  let destroyed = false;
  const destroy = async () => {
    if (destroyed) return;
    destroyed = true;
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    // Deleting one end of a veth deletes the pair; deleting the namespace would too, but be explicit.
    for (const args of [["link", "del", hostIf], ["netns", "del", name]]) {
      try {
        ip(...args);
      } catch {
        // already gone (setup failed before it was made)
      }
    }
  };
  try {
    ip("netns", "add", name);
    ip("link", "add", hostIf, "type", "veth", "peer", "name", nsIf);
    ip("link", "set", nsIf, "netns", name);
    ip("addr", "add", `${hostAddr}/30`, "dev", hostIf);
    ip("link", "set", hostIf, "up");
    ip("netns", "exec", name, "ip", "addr", "add", `${nsAddr}/30`, "dev", nsIf);
    ip("netns", "exec", name, "ip", "link", "set", nsIf, "up");
    ip("netns", "exec", name, "ip", "link", "set", "lo", "up");
    for (const f of forwards) {
      const srv = net.createServer((inbound) => {
        const outbound = net.connect({ host: "127.0.0.1", port: f.target });
        for (const s of [inbound, outbound]) {
          sockets.add(s);
          s.once("close", () => sockets.delete(s));
          s.on("error", () => {
            inbound.destroy();
            outbound.destroy();
          });
        }
        inbound.pipe(outbound).pipe(inbound);
      });
      servers.push(srv);
      await new Promise<void>((resolve, reject) => {
        srv.once("error", reject);
        srv.listen(f.port, hostAddr, () => resolve());
      });
    }
  } catch (err) {
    await destroy();
    throw err;
  }
  return {
    name,
    hostAddr,
    wrap: ["ip", "netns", "exec", name],
    cut: () => ip("link", "set", hostIf, "down"),
    restore: () => ip("link", "set", hostIf, "up"),
    destroy,
  };
}
