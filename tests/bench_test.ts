/**
 * Smoke test of `deno task bench`: a tiny `--quick` run (one round, small
 * sizes) must produce JSON with every row this test expects (its own list,
 * not the bench's), in the pinned placement, with positive finite figures for
 * Deno and C, ratios that are Deno/C of those figures, and leave nothing
 * behind. No timing is asserted. Without `cc` the comparison cannot run:
 * the test is ignored (and CI fails), never passed.
 */
import "./_helpers/bind_libc.ts"; // before anything calls libc: see the module
import assert from "node:assert/strict";
import { start, tempDir } from "./_helpers/run.ts";
import { LeakGuard } from "./_helpers/leaks.ts";
import { ignoreIf, missingTool } from "./_helpers/ignore.ts";
import type { Report, Stat } from "../bench/report.ts";

/** The table's rows, in order: id, kind, implementation. */
const ROWS = [
  ["bulk-pipe", "bulk", "ffi"],
  ["bulk-fifo", "bulk", "ffi"],
  ["bulk-socket", "bulk", "ffi"],
  ["bulk-shm", "bulk", "ffi"],
  ["bulk-mmap", "bulk", "ffi"],
  ["bulk-builtin-pipe", "bulk", "builtin"],
  ["bulk-builtin-socket", "bulk", "builtin"],
  ["pingpong-pipe", "pingpong", "ffi"],
  ["pingpong-socket", "pingpong", "ffi"],
  ["pingpong-shm", "pingpong", "ffi"],
  ["pingpong-builtin-pipe", "pingpong", "builtin"],
  ["pingpong-builtin-socket", "pingpong", "builtin"],
] as const;

/** The targets of issue #7, in order. */
const TARGETS = [
  "bulk pipe",
  "bulk FIFO",
  "bulk Unix socket",
  "pipe ping-pong",
  "bulk SysV shm",
  "bulk file mapping",
  "FFI pipe vs Deno.Command stream",
];

function assertStat(s: Stat | null, what: string): void {
  assert.ok(s, `${what}: missing`);
  for (const v of [s.median, s.min, s.max, ...s.rounds]) {
    assert.ok(Number.isFinite(v) && v > 0, `${what}: not a positive finite figure: ${v}`);
  }
  assert.ok(s.min <= s.median && s.median <= s.max, `${what}: min ≤ median ≤ max`);
}

const QUICK_TEST = "bench --quick --json --placement pinned: every row, sane figures, nothing left";
Deno.test({ name: QUICK_TEST, ignore: ignoreIf(QUICK_TEST, missingTool("cc")) }, async () => {
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
    // One placement keeps the suite fast; `unpinned` differs only in not pinning (taskset).
    "--placement",
    "pinned",
    "--svg",
    svg,
  ], { env: { TMPDIR: tmp.path } });
  guard.addPids(bench.pid);
  const r = await bench.finish();
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as Report;
  assert.deepEqual(report.placements.map((p) => p.placement), ["pinned"]);
  assert.equal(report.options.cc, "cc", "the C side was built with cc");
  for (const p of report.placements) {
    assert.deepEqual(
      p.rows.map((row) => [row.id, row.kind, row.impl]),
      ROWS.map((r) => [...r]),
      `${p.placement}: the rows`,
    );
    for (const row of p.rows) {
      const what = `${p.placement} ${row.id}`;
      assert.equal(row.unit, row.kind === "bulk" ? "GB/s" : "µs", what);
      assertStat(row.deno, `${what} deno`);
      assert.equal(row.deno.rounds.length, 1);
      assertStat(row.c, `${what} c`);
      assert.equal(row.c!.rounds.length, 1);
      assert.equal(row.cNote, undefined, what);
      assertStat(row.ratio, `${what} ratio`);
      // Deno/C of the round's figures (GB/s over GB/s, µs over µs).
      const expected = row.deno.rounds[0] / row.c!.rounds[0];
      assert.ok(
        Math.abs(row.ratio!.rounds[0] - expected) <= 1e-9 * expected,
        `${what}: ratio ${row.ratio!.rounds[0]} is not deno/c = ${expected}`,
      );
    }
  }
  assert.deepEqual(report.targets.map((t) => t.name), TARGETS);
  const pinned = report.placements[0].rows;
  const ratio = (id: string) => pinned.find((r) => r.id === id)!.ratio!.median;
  assert.equal(report.targets[0].measured, ratio("bulk-pipe"));
  assert.equal(report.targets[0].met, ratio("bulk-pipe") >= 0.95);
  assert.equal(report.targets[3].measured, ratio("pingpong-pipe"));
  assert.equal(report.targets[3].met, ratio("pingpong-pipe") <= 1.15);
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
