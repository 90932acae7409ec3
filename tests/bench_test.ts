/**
 * Smoke test of `deno task bench`: a tiny `--quick` run (one round, small
 * sizes) must produce JSON with every row, in both placements, with
 * positive finite figures, and leave nothing behind. No timing is asserted.
 */
import assert from "node:assert/strict";
import { start, tempDir } from "./_helpers/run.ts";
import { LeakGuard } from "./_helpers/leaks.ts";
import { ROW_IDS } from "../bench/bench.ts";
import type { Report, Stat } from "../bench/report.ts";

function assertStat(s: Stat | null, what: string): void {
  assert.ok(s, `${what}: missing`);
  for (const v of [s.median, s.min, s.max, ...s.rounds]) {
    assert.ok(Number.isFinite(v) && v > 0, `${what}: not a positive finite figure: ${v}`);
  }
  assert.ok(s.min <= s.median && s.median <= s.max, `${what}: min ≤ median ≤ max`);
}

Deno.test("bench --quick --json: every row, both placements, sane figures, nothing left", async () => {
  await using tmp = await tempDir("ipc-lab-bench-test-");
  const svg = `${tmp.path}/chart.svg`;
  const guard = new LeakGuard({ dir: tmp.path });
  await using bench = start("bench", [
    "--quick",
    "--json",
    "--size",
    "256KiB",
    "--chunk",
    "16KiB",
    "--iters",
    "50",
    "--rounds",
    "1",
    "--warm-ms",
    "5",
    "--svg",
    svg,
  ], { env: { TMPDIR: tmp.path } });
  guard.addPids(bench.pid);
  const r = await bench.finish();
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as Report;
  assert.deepEqual(report.placements.map((p) => p.placement), ["pinned", "unpinned"]);
  const noCc = report.options.cc === "no cc";
  for (const p of report.placements) {
    assert.deepEqual(p.rows.map((row) => row.id), [...ROW_IDS]);
    for (const row of p.rows) {
      const what = `${p.placement} ${row.id}`;
      assertStat(row.deno, `${what} deno`);
      assert.equal(row.deno.rounds.length, 1);
      if (noCc) {
        assert.equal(row.c, null);
        assert.equal(row.cNote, "no cc");
      } else {
        assertStat(row.c, `${what} c`);
        assertStat(row.ratio, `${what} ratio`);
      }
    }
  }
  assert.equal(report.targets.length, 7);
  const chart = await Deno.readTextFile(svg);
  assert.match(chart, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(chart, /anonymous pipe/);
  await Deno.remove(svg);
  guard.check(); // the bench's own temp dir (under TMPDIR) is gone too
});

Deno.test("bench: a bad option prints the usage and exits 1", async () => {
  await using bench = start("bench", ["--size", "lots"]);
  const r = await bench.finish();
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--size: not a size/);
  assert.match(r.stderr, /usage: deno task bench/);
});
