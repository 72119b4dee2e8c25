import assert from "node:assert/strict";
import { test } from "node:test";
import type { LikeModel, ModelFamily } from "../../src/models/index.js";
import { likeModelContractChecks, runLikeModelContract } from "./like-model-contract.js";
import { type RefLogitConfig, refLogitFamily } from "./reference-logit.js";

// A correct family passes every check.
runLikeModelContract(refLogitFamily() as unknown as ModelFamily<object>);

function broken(mutate: (m: LikeModel) => LikeModel, name: string): ModelFamily<object> {
  const base = refLogitFamily(name);
  const fam: ModelFamily<RefLogitConfig> = {
    ...base,
    fit: async (t, c, ctx) => mutate(await base.fit(t, c, ctx)),
    load: (b) => mutate(base.load(b)),
  };
  return fam as unknown as ModelFamily<object>;
}

async function failing(fam: ModelFamily<object>, check: RegExp): Promise<void> {
  const { checks } = likeModelContractChecks(fam);
  const c = checks.find((x) => check.test(x.name));
  assert.ok(c, `no check matches ${check}`);
  await assert.rejects(c.run());
}

test("the contract catches a model whose loaded copy predicts differently", async () => {
  let n = 0;
  const fam = broken((m) => {
    const shift = n++ * 1e-3; // the fitted model and the loaded one differ slightly
    return { ...m, predict: (v, r) => m.predict(v, r).map((p) => Math.min(1, p + shift)) };
  }, "drifting");
  await failing(fam, /serialise/);
});

test("the contract catches a model that is no better than popularity", async () => {
  const fam = broken(
    (m) => ({ ...m, predict: (_v, r) => new Float32Array(r).fill(0.6) }),
    "constant",
  );
  await failing(fam, /popularity/);
});

test("the contract catches contributions that do not add up and NaN on missing rows", async () => {
  const off = broken(
    (m) => ({ ...m, contributions: (row) => ({ ...m.contributions(row), bias: 0.5 }) }),
    "offset",
  );
  await failing(off, /contributions/);
  const nan = broken(
    (m) => ({
      ...m,
      predict: (v, r) =>
        m
          .predict(v, r)
          .map((p, i) => (Number.isNaN(v[i * m.featureNames.length]) ? Number.NaN : p)),
    }),
    "nan",
  );
  await failing(nan, /unknown user/);
});
