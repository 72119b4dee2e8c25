/**
 * The candidate configs of a search, drawn from a family's own SearchSpace (there is no central
 * table of hyperparameters): the grid is the cartesian product of `space.grid` values in
 * declaration order; random search draws each `space.random` key independently (uniform, or
 * log-uniform when `log`; ints rounded), seeded.
 */
import type { Rng } from "../core/index.js";
import type { ParamRange, SearchSpace } from "../models/index.js";

export type ParamValue = number | string | boolean;
export type Params = Record<string, ParamValue>;

export function gridConfigs(space: SearchSpace): Params[] {
  let out: Params[] = [{}];
  for (const [key, values] of Object.entries(space.grid)) {
    const next: Params[] = [];
    for (const partial of out) for (const v of values) next.push({ ...partial, [key]: v });
    out = next;
  }
  return Object.keys(space.grid).length === 0 ? [] : out;
}

export function sampleParam(range: ParamRange, rng: Rng): ParamValue {
  if (range.type === "choice") return range.values[rng.int(range.values.length)];
  const u = rng.next();
  let v: number;
  if (range.log) {
    const lo = Math.log(range.min);
    const hi = Math.log(range.max);
    v = Math.exp(lo + u * (hi - lo));
  } else v = range.min + u * (range.max - range.min);
  if (range.type === "int") v = Math.min(range.max, Math.max(range.min, Math.round(v)));
  else v = Math.min(range.max, Math.max(range.min, v));
  return v;
}

export function randomConfigs(space: SearchSpace, trials: number, rng: Rng): Params[] {
  const keys = Object.keys(space.random);
  if (keys.length === 0) return [];
  const out: Params[] = [];
  for (let t = 0; t < trials; t++) {
    const p: Params = {};
    for (const k of keys) p[k] = sampleParam(space.random[k], rng);
    out.push(p);
  }
  return out;
}
