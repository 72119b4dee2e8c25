import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { CinerankError } from "../core/index.js";
import { newRunId, RunFolder, readLatest, resolveRunDir } from "./run-folder.js";

test("run ids sort by time and are unique", () => {
  const a = newRunId(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)));
  assert.match(a, /^20260102-030405-[0-9a-f]{4}$/);
  assert.notEqual(newRunId(), newRunId());
});

test("latest moves only when a run completes; an unfinished run is never latest", async () => {
  const out = await mkdtemp(join(tmpdir(), "cinerank-runs-"));
  try {
    await assert.rejects(
      resolveRunDir(out),
      (e: unknown) => e instanceof CinerankError && e.code === "ERR_RUN_NOT_FOUND",
    );
    const first = new RunFolder(out, "run-a");
    await first.write("metrics.json", "{}");
    assert.equal(await readLatest(out), null, "latest appears only on completion");
    await first.complete({ chosen: "lr" });
    assert.equal(await readLatest(out), "run-a");
    assert.equal(await resolveRunDir(out), first.dir);

    const second = new RunFolder(out, "run-b");
    await second.write("models/x.bin", new Uint8Array([1, 2]));
    // second run "dies" here: no complete()
    assert.equal(await readLatest(out), "run-a");
    assert.equal(await resolveRunDir(out), first.dir);
    await assert.rejects(resolveRunDir(second.dir), /not a complete run folder/);
    // no temp files left behind by atomic writes
    const names = await readdir(join(out, "run-b", "models"));
    assert.deepEqual(names, ["x.bin"]);

    const manifest = JSON.parse(await readFile(join(first.dir, "run.json"), "utf8"));
    assert.deepEqual(manifest.files, ["metrics.json"]);
    assert.equal(manifest.summary.chosen, "lr");
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
