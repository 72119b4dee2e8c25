/**
 * Imports point down the flow only (ARCHITECTURE.md):
 *   core <- config <- data <- splits <- features <- models <- evaluation <- tuning <- artifacts
 *   <- recommend <- serve <- cli
 * A module may import from its own folder or any folder to its left, never to its right.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const LAYERS = [
  "core",
  "config",
  "data",
  "splits",
  "features",
  "models",
  "evaluation",
  "tuning",
  "artifacts",
  "recommend",
  "serve",
  "cli",
];

const here = dirname(fileURLToPath(import.meta.url));
// dist/test/architecture.test.js -> project root
const root = resolve(here, "..", "..");
const srcDir = join(root, "src");

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (p.endsWith(".ts")) out.push(p);
  }
  return out;
}

function layerOf(file: string): string | null {
  const top = relative(srcDir, file).split(/[\\/]/)[0];
  return LAYERS.includes(top) ? top : null;
}

test("imports only point down the flow", () => {
  const violations: string[] = [];
  for (const file of walk(srcDir)) {
    const from = layerOf(file);
    if (!from) continue;
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(
      /(?:import|export)\s[^;]*?from\s+["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/g,
    )) {
      const spec = m[1] ?? m[2];
      const target = resolve(dirname(file), spec);
      const to = layerOf(target);
      if (!to) {
        if (relative(srcDir, target).startsWith(".."))
          violations.push(`${relative(root, file)} imports outside src: ${spec}`);
        continue;
      }
      if (LAYERS.indexOf(to) > LAYERS.indexOf(from)) {
        violations.push(`${relative(root, file)} (${from}) imports ${spec} (${to})`);
      }
    }
  }
  assert.deepEqual(violations, []);
});
