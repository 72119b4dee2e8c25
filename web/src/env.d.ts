/** Vite handles CSS imports (bundled into one stylesheet); this tells TypeScript they exist. */
declare module "*.css";
