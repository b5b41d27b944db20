/**
 * Debian's Chromium driven by playwright-core (Playwright cannot download its own browsers on
 * this machine kind), with the flags that keep it off the closed network and a fresh profile.
 * Fails with a clear message when Chromium is missing: the browser tests never skip.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { ROOT } from "./support.ts";

export const CHROMIUM = process.env.HPS_CHROMIUM ?? "/usr/bin/chromium";
/** Where the browser tests save their screenshots (gitignored). */
export const SCREENSHOTS = join(ROOT, "test-results", "screenshots");

const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Saves a full-page screenshot as SCREENSHOTS/<name>.png. */
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function launchBrowser(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium; .ci/run does) or set HPS_CHROMIUM. The browser tests do not skip.`);
  }
  const profile = mkdtempSync(join(tmpdir(), "hps-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport });
  const page = context.pages()[0] ?? (await context.newPage());
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    context,
    page,
    shot: async (name) => {
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
