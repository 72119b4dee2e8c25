/**
 * One place per family for its options: type, range, default and a one-line description.
 * `resolveConfig` validates and defaults a partial config against such a spec and throws
 * ERR_INVALID_CONFIG naming the field and what was expected; there are no aliases and unknown
 * keys are errors (a typo must not silently fall back to a default).
 */
import { CinerankError } from "../../core/index.js";

export type OptionSpec =
  | { type: "int"; min: number; max: number; default: number; description: string }
  | {
      type: "float";
      min: number;
      max: number;
      default: number;
      description: string;
      exclusiveMin?: boolean;
    }
  | { type: "choice"; values: readonly string[]; default: string; description: string };

export type ConfigSpec<C> = { [K in keyof C]: OptionSpec };

export function defaultsOf<C>(spec: ConfigSpec<C>): C {
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(spec) as [string, OptionSpec][]) out[k] = s.default;
  return out as C;
}

export function resolveConfig<C extends object>(
  family: string,
  spec: ConfigSpec<C>,
  partial: Partial<C> = {},
): C {
  const out = defaultsOf(spec) as Record<string, unknown>;
  for (const [k, v] of Object.entries(partial)) {
    const s = (spec as Record<string, OptionSpec>)[k];
    if (!s) {
      throw new CinerankError(
        "ERR_INVALID_CONFIG",
        `${family} config: unknown option "${k}" (known: ${Object.keys(spec).join(", ")})`,
      );
    }
    if (v === undefined) continue;
    const bad = (want: string): never => {
      throw new CinerankError(
        "ERR_INVALID_CONFIG",
        `${family} config: ${k} = ${JSON.stringify(v)}, expected ${want}`,
      );
    };
    if (s.type === "choice") {
      if (typeof v !== "string" || !s.values.includes(v)) bad(`one of ${s.values.join(", ")}`);
    } else {
      if (typeof v !== "number" || !Number.isFinite(v)) bad(`a number in [${s.min}, ${s.max}]`);
      const n = v as number;
      if (s.type === "int" && !Number.isInteger(n)) bad(`an integer in [${s.min}, ${s.max}]`);
      const lowOk = s.type === "float" && s.exclusiveMin ? n > s.min : n >= s.min;
      if (!lowOk || n > s.max) {
        bad(`a number in ${s.type === "float" && s.exclusiveMin ? "(" : "["}${s.min}, ${s.max}]`);
      }
    }
    out[k] = v;
  }
  return out as C;
}
