/**
 * The server the browser tests drive. TEMPORARY: until src/serve lands on main this starts the
 * development mock (dev-api-mock.ts) on ml-latest-small; it will start the real server on
 * artifacts trained in the test setup.
 */
import { join } from "node:path";
import { projectRoot } from "./browser.js";
import { startDevMock } from "./dev-api-mock.js";

export interface AppServer {
  url: string;
  /** What the tests run against, for the test log. */
  kind: string;
  close(): Promise<void>;
}

export const dataDir = join(projectRoot, "..", "shared", "data", "ml-latest-small");

export async function startAppServer(): Promise<AppServer> {
  const mock = await startDevMock(dataDir, join(projectRoot, "web", "dist"));
  return { url: mock.url, kind: "dev mock", close: mock.close };
}
