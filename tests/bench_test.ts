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
import { PosixMessageQueue } from "../lib/posix_mq.ts";
import { O } from "../lib/constants.ts";
import { Errno, LibcError } from "../lib/errno.ts";

/** The table's rows, in order: id, kind, implementation. */
const ROWS = [
  ["bulk-pipe", "bulk", "ffi"],
  ["bulk-fifo", "bulk", "ffi"],
  ["bulk-socket", "bulk", "ffi"],
  ["bulk-shm", "bulk", "ffi"],
  ["bulk-mmap", "bulk", "ffi"],
  ["bulk-msg", "bulk", "ffi"],
  ["bulk-mq", "bulk", "ffi"],
  ["bulk-builtin-pipe", "bulk", "builtin"],
  ["bulk-builtin-socket", "bulk", "builtin"],
  ["pingpong-pipe", "pingpong", "ffi"],
  ["pingpong-socket", "pingpong", "ffi"],
  ["pingpong-shm", "pingpong", "ffi"],
  ["pingpong-msg", "pingpong", "ffi"],
  ["pingpong-mq", "pingpong", "ffi"],
  ["pingpong-builtin-pipe", "pingpong", "builtin"],
  ["pingpong-builtin-socket", "pingpong", "builtin"],
] as const;

/** The targets of issue #17 (one per FFI row) and #7's built-in one, in order. */
const TARGETS = [
  "bulk anonymous pipe",
  "bulk FIFO",
  "bulk Unix stream socket",
  "bulk SysV shm ring + futex",
  "bulk shared file mapping ring + futex",
  "bulk SysV message queue",
  "bulk POSIX message queue",
  "ping-pong pipe pair",
  "ping-pong socketpair",
  "ping-pong SysV shm + futex",
  "ping-pong SysV message queue",
  "ping-pong POSIX message queue pair",
  "FFI pipe vs Deno.Command stream",
];

/** Which of the seeds' five kinds each row measures. */
const IPC: Record<string, string> = {
  pipe: "pipes",
  fifo: "FIFOs",
  socket: "sockets",
  shm: "shared memory",
  mmap: "shared memory",
  msg: "message queues",
  mq: "message queues",
};

/** Whether a POSIX message queue of this name exists (mq_open without O_CREAT). */
function mqExists(name: string): boolean {
  try {
    PosixMessageQueue.open(name, { flags: O.RDONLY }).close();
    return true;
  } catch (e) {
    if (e instanceof LibcError && e.errno === Errno.ENOENT) return false;
    throw e;
  }
}

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
    "64KiB",
    "--chunk",
    "16KiB",
    "--iters",
    "20",
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
      assert.equal(row.ipc, IPC[row.id.split("-").at(-1)!], `${what}: its IPC kind`);
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
  for (const t of report.targets.slice(0, -1)) {
    const bulk = t.row.startsWith("bulk-");
    assert.equal(t.measured, ratio(t.row), t.name);
    assert.equal(t.met, bulk ? ratio(t.row) >= 0.95 : ratio(t.row) <= 1.10, t.name);
  }
  // The queue rows: the largest message the limits allow (here --chunk 16 KiB
  // is above both default limits of 8 KiB, so the limit).
  const limit = (path: string) => Number(Deno.readTextFileSync(path).trim());
  const sizes = report.options.messageSize;
  assert.equal(sizes.sysv.limit, limit("/proc/sys/kernel/msgmax"));
  assert.equal(sizes.posix.limit, limit("/proc/sys/fs/mqueue/msgsize_max"));
  assert.equal(sizes.sysv.bytes, Math.min(16384, sizes.sysv.limit));
  assert.equal(sizes.posix.bytes, Math.min(16384, sizes.posix.limit));
  assert.equal(pinned.find((r) => r.id === "bulk-msg")!.chunk, sizes.sysv.bytes);
  assert.equal(pinned.find((r) => r.id === "bulk-mq")!.chunk, sizes.posix.bytes);
  // Every queue run had its own key and name: 4 queue rows x (C + Deno).
  const { keys, names } = report.options.queues;
  assert.equal(keys.length, 8);
  assert.equal(new Set(keys).size, 8);
  assert.equal(new Set(names).size, 8);
  // The summary answers the seeds' claim over all five kinds.
  assert.equal(report.summary.length, 2);
  for (const kind of ["pipes", "FIFOs", "shared memory", "message queues", "sockets"]) {
    assert.match(report.summary[0], new RegExp(kind), `bulk summary names ${kind}`);
  }
  assert.match(report.summary[0], /^Is shared memory the fastest\? Bulk \(pinned, C\): /);
  assert.match(report.summary[1], /^Is shared memory the fastest\? Ping-pong \(pinned, C\): /);
  const chart = await Deno.readTextFile(svg);
  assert.match(chart, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(chart, /anonymous pipe/);
  for (const kind of ["pipes", "FIFOs", "shared memory", "message queues", "sockets"]) {
    assert.match(chart, new RegExp(`>${kind}<`), `the chart has a ${kind} group`);
  }
  await Deno.remove(svg);
  // Nothing left: no SysV queue with one of the keys, no POSIX queue of the names.
  guard.scope.keys = keys;
  for (const name of names) {
    for (const n of [name, `${name}-d`, `${name}-u`]) {
      assert.equal(mqExists(n), false, `POSIX message queue ${n} left behind`);
    }
  }
  guard.check(); // the bench's own temp dir (under TMPDIR) is gone too
});

Deno.test("bench: a bad option prints the usage and exits 1", async () => {
  await using bench = start("bench", ["--size", "lots"]);
  const r = await bench.finish();
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--size: not a size/);
  assert.match(r.stderr, /usage: deno task bench/);
});
