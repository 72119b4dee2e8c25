/**
 * The shared contract every like-model family passes (ARCHITECTURE.md "shared contract tests").
 * Call it from a family's own test file:
 *
 *   import { runLikeModelContract } from "../../../test/contracts/like-model-contract.js";
 *   runLikeModelContract(gbdt, { config: { trees: 60 } });
 *
 * It fits the family on a small synthetic FeatureMatrix (contract-fixture.ts) and checks:
 * predictions are finite probabilities of the right length; unknown-user, unknown-movie and
 * all-missing rows give finite probabilities; serialise -> load gives bit-identical predictions;
 * the same seed gives the same model; it beats the movie-popularity (movie like-rate) baseline on
 * held-out rows; contributions plus bias sum to the raw (logit) score; importances name the
 * model's features; the search space only names config keys and its values pass `config()`.
 * `likeModelContractChecks` returns the same checks as plain async functions (they throw on a
 * breach), for callers that want to run them outside node:test.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { CinerankError, Rng, rngFor } from "../../src/core/index.js";
import { rocAuc } from "../../src/evaluation/index.js";
import { fitLikeRateBaseline } from "../../src/models/baselines/index.js";
import type { FitContext, LikeModel, ModelFamily } from "../../src/models/index.js";
import { type ContractFixture, contractFixture } from "./contract-fixture.js";

export interface ContractOptions {
  /** Config overrides for the contract fits (keep them small and fast). */
  config?: Record<string, unknown>;
  /** Extra FitContext fields (e.g. threads). */
  context?: Partial<FitContext>;
  /** Minimum test-AUC lead over the movie like-rate baseline (default 0.02). */
  minAucLead?: number;
  /** Absolute tolerance of |bias + sum(contributions) - logit(p)| (default 1e-3). */
  contributionTolerance?: number;
  /** Fixture seed (default 1). */
  seed?: number;
}

export interface ContractCheck {
  name: string;
  run(): Promise<void>;
}

const logit = (p: number): number => Math.log(p / (1 - p));

function assertProbabilities(p: Float32Array, rows: number, what: string): void {
  assert.ok(p instanceof Float32Array, `${what}: predict must return a Float32Array`);
  assert.equal(p.length, rows, `${what}: expected ${rows} predictions, got ${p.length}`);
  for (let i = 0; i < p.length; i++) {
    assert.ok(
      Number.isFinite(p[i]) && p[i] >= 0 && p[i] <= 1,
      `${what}: prediction ${i} = ${p[i]} is not a probability`,
    );
  }
}

export function likeModelContractChecks(
  family: ModelFamily<object>,
  opts: ContractOptions = {},
): { checks: ContractCheck[]; dispose(): Promise<void> } {
  let fixture: ContractFixture | undefined;
  let fitted: Promise<LikeModel> | undefined;
  const extra: LikeModel[] = [];
  const data = (): ContractFixture => {
    fixture ??= contractFixture(opts.seed ?? 1);
    return fixture;
  };
  const config = () => family.config(opts.config as never);
  const fit = (seed: number): Promise<LikeModel> =>
    family.fit(data().train, config(), { rng: new Rng(seed), threads: 1, ...opts.context });
  const model = (): Promise<LikeModel> => {
    fitted ??= fit(42);
    return fitted;
  };

  const checks: ContractCheck[] = [
    {
      name: "fits, keeps the feature names, predicts finite probabilities of the right length without touching its input",
      async run() {
        const m = await model();
        const { test } = data();
        assert.equal(m.family, family.name);
        assert.deepEqual([...m.featureNames], test.names);
        const copy = test.values.slice();
        const p = m.predict(test.values, test.rows);
        assertProbabilities(p, test.rows, "test rows");
        assert.deepEqual(test.values, copy, "predict must not modify its input");
        assertProbabilities(m.predict(new Float32Array(0), 0), 0, "zero rows");
        let distinct = 0;
        const first = p[0];
        for (let i = 0; i < p.length; i++) if (p[i] !== first) distinct++;
        assert.ok(distinct > 0, "all predictions are identical: the model learned nothing");
      },
    },
    {
      name: "unknown user, unknown movie and all-missing rows give finite probabilities",
      async run() {
        const m = await model();
        const { unseen } = data();
        assertProbabilities(m.predict(unseen.values, unseen.rows), unseen.rows, "unseen rows");
        // one row at a time too: batch and single-row paths must agree
        const batch = m.predict(unseen.values, unseen.rows);
        for (let r = 0; r < unseen.rows; r++) {
          const one = m.predict(unseen.values.slice(r * unseen.cols, (r + 1) * unseen.cols), 1);
          assert.equal(one[0], batch[r], `row ${r}: single-row prediction differs from batch`);
        }
      },
    },
    {
      name: "serialise -> load gives bit-identical predictions",
      async run() {
        const m = await model();
        const { test, unseen } = data();
        const bytes = m.serialize();
        assert.ok(
          bytes instanceof Uint8Array && bytes.length > 0,
          "serialize must return non-empty bytes",
        );
        const loaded = family.load(bytes.slice());
        extra.push(loaded);
        assert.equal(loaded.family, family.name);
        assert.deepEqual([...loaded.featureNames], [...m.featureNames]);
        for (const part of [test, unseen]) {
          const a = m.predict(part.values, part.rows);
          const b = loaded.predict(part.values, part.rows);
          assert.deepEqual(
            new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
            new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
          );
        }
        assert.throws(
          () => family.load(new Uint8Array([1, 2, 3])),
          (e: unknown) => e instanceof CinerankError && e.code === "ERR_MODEL_FORMAT",
          "loading garbage must throw CinerankError(ERR_MODEL_FORMAT)",
        );
      },
    },
    {
      name: "the same seed fits the same model",
      async run() {
        const m = await model();
        const again = await fit(42);
        extra.push(again);
        const { test } = data();
        assert.deepEqual(again.predict(test.values, test.rows), m.predict(test.values, test.rows));
      },
    },
    {
      name: "beats the movie-popularity baseline on held-out rows",
      async run() {
        const m = await model();
        const { train, test } = data();
        const pop = fitLikeRateBaseline(train, "movie").predict(test);
        const popAuc = rocAuc(pop, test.labels);
        const auc = rocAuc(m.predict(test.values, test.rows), test.labels);
        const lead = opts.minAucLead ?? 0.02;
        assert.ok(
          auc >= popAuc + lead,
          `test AUC ${auc.toFixed(4)} does not beat the movie like-rate baseline ${popAuc.toFixed(4)} by ${lead}`,
        );
      },
    },
    {
      name: "contributions plus bias sum to the raw (logit) score",
      async run() {
        const m = await model();
        const { test, unseen } = data();
        const tol = opts.contributionTolerance ?? 1e-3;
        for (const part of [test, unseen]) {
          const p = m.predict(part.values, part.rows);
          const n = Math.min(part.rows, 25);
          for (let r = 0; r < n; r++) {
            const row = part.values.slice(r * part.cols, (r + 1) * part.cols);
            const c = m.contributions(row);
            assert.equal(c.values.length, part.cols, "one contribution per feature");
            let sum = c.bias;
            for (let j = 0; j < c.values.length; j++) sum += c.values[j];
            assert.ok(Number.isFinite(sum), `row ${r}: contributions are not finite`);
            const raw = logit(Math.min(1 - 1e-7, Math.max(1e-7, p[r])));
            assert.ok(
              Math.abs(sum - raw) <= tol * Math.max(1, Math.abs(raw)),
              `row ${r}: bias + contributions = ${sum}, logit(p) = ${raw}`,
            );
          }
        }
      },
    },
    {
      name: "importances name the model's features, are finite and sorted largest first",
      async run() {
        const m = await model();
        const imp = m.importance();
        assert.ok(imp.length > 0, "no importances");
        const names = new Set(m.featureNames);
        for (let i = 0; i < imp.length; i++) {
          assert.ok(names.has(imp[i].feature), `unknown feature ${imp[i].feature}`);
          assert.ok(Number.isFinite(imp[i].value), `importance of ${imp[i].feature} is not finite`);
          if (i > 0)
            assert.ok(imp[i - 1].value >= imp[i].value, "importances not sorted largest first");
        }
      },
    },
    {
      name: "the search space names only config keys and its values pass config()",
      async run() {
        const keys = new Set(Object.keys(family.defaults));
        const space = family.searchSpace;
        const all = [...Object.keys(space.grid), ...Object.keys(space.random)];
        assert.ok(all.length > 0, "empty search space: tuning has nothing to search");
        for (const k of all)
          assert.ok(keys.has(k), `search space key "${k}" is not a config key of ${family.name}`);
        for (const [k, values] of Object.entries(space.grid)) {
          assert.ok(values.length > 0, `grid "${k}" has no values`);
          for (const v of values) family.config({ [k]: v } as never);
        }
        const rng = rngFor(7);
        for (const [k, r] of Object.entries(space.random)) {
          if (r.type === "choice") {
            for (const v of r.values) family.config({ [k]: v } as never);
          } else {
            assert.ok(r.min <= r.max, `range "${k}" has min > max`);
            for (const v of [r.min, r.max, r.min + (r.max - r.min) * rng.next()]) {
              family.config({ [k]: r.type === "int" ? Math.round(v) : v } as never);
            }
          }
        }
        assert.deepEqual(family.config(), family.config({}));
      },
    },
  ];

  return {
    checks,
    async dispose() {
      const all = [...extra];
      if (fitted) all.push(await fitted);
      await Promise.all(all.map((m) => m.dispose?.()));
    },
  };
}

/** Registers the contract as a node:test suite named after the family. */
export function runLikeModelContract(
  family: ModelFamily<object>,
  opts: ContractOptions = {},
): void {
  describe(`like-model contract: ${family.name}`, () => {
    const { checks, dispose } = likeModelContractChecks(family, opts);
    for (const c of checks) test(c.name, () => c.run());
    after(dispose);
  });
}
