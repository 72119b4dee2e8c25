/**
 * Config validation shared by the linear, factorisation and neighbour families: merge a partial
 * config over the defaults, reject unknown keys (no silent fallbacks, no aliases) and check each
 * value against its declared rule, throwing CinerankError(ERR_INVALID_CONFIG) naming the field.
 */
import { CinerankError } from "../../core/index.js";

export type ConfigRule =
  | { type: "int"; min: number; max?: number }
  | { type: "float"; min: number; max?: number; exclusiveMin?: boolean }
  | { type: "choice"; values: readonly (string | number | boolean)[] };

export function validateConfig<C extends object>(
  family: string,
  defaults: C,
  rules: { [K in keyof C]: ConfigRule },
  partial: Partial<C> = {},
): C {
  const out = { ...defaults } as Record<string, unknown>;
  for (const [key, value] of Object.entries(partial)) {
    if (!(key in rules)) {
      throw new CinerankError(
        "ERR_INVALID_CONFIG",
        `${family}: unknown option "${key}" (expected one of: ${Object.keys(rules).join(", ")})`,
      );
    }
    if (value !== undefined) out[key] = value;
  }
  for (const [key, rule] of Object.entries(rules) as [string, ConfigRule][]) {
    const v = out[key];
    const bad = (what: string): never => {
      throw new CinerankError(
        "ERR_INVALID_CONFIG",
        `${family}: option "${key}" must be ${what}, got ${JSON.stringify(v)}`,
        { family, option: key, value: v },
      );
    };
    if (rule.type === "choice") {
      if (!rule.values.includes(v as string | number | boolean)) {
        bad(`one of ${rule.values.map((x) => JSON.stringify(x)).join(", ")}`);
      }
      continue;
    }
    if (typeof v !== "number" || !Number.isFinite(v)) bad("a finite number");
    const n = v as number;
    if (rule.type === "int" && !Number.isInteger(n)) bad("an integer");
    const range = `${rule.type === "float" && rule.exclusiveMin ? ">" : ">="} ${rule.min}${rule.max !== undefined ? ` and <= ${rule.max}` : ""}`;
    if (rule.type === "float" && rule.exclusiveMin ? n <= rule.min : n < rule.min) bad(range);
    if (rule.max !== undefined && n > rule.max) bad(range);
  }
  return out as C;
}
