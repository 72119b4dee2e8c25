/**
 * Browser harness for the web app's tests: playwright-core driving Debian's Chromium (the
 * binary `which chromium` finds; Playwright cannot download browsers here), headless, with a
 * fresh profile per launch, and a collector of console errors / uncaught page errors so a test
 * can assert a page rendered cleanly.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/** Project root, from dist/test/browser/browser.js. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const outputDir = join(projectRoot, "test-output");

/** Path of Debian's chromium, or null when it is not installed. */
export function findChromium(): string | null {
  try {
    const p = execFileSync("which", ["chromium"], { encoding: "utf8" }).trim();
    return p || null;
  } catch {
    return null;
  }
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(executablePath: string): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "cinerank-chromium-"));
  // launchPersistentContext is how Playwright takes a --user-data-dir: a fresh one per run.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1280, height: 900 },
    timeout: 60_000,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Records console errors and uncaught exceptions of one page. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
  return errors;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(outputDir, { recursive: true });
  const file = join(outputDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
