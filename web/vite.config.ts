/**
 * Vite build of the cinerank web app: web/index.html + web/src -> web/dist (served by
 * `cinerank serve` at `/`). React's automatic JSX runtime through Vite's built-in transform,
 * so no React plugin is needed; relative asset paths so the bundle works under any prefix.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  logLevel: "warn",
  oxc: { jsx: { runtime: "automatic" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 800,
  },
  server: { proxy: { "/api": "http://127.0.0.1:3000" } },
});
