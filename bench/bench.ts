/**
 * `deno task bench`: is shared memory really the fastest IPC? Every
 * mechanism the suite ports, measured through our FFI layer (lib/) against
 * the same program in C (bench/c/*.c, built with `cc -O2` now), in one run,
 * with Deno's own built-ins as "what a user would pick instead".
 *
 * Rows:
 * - bulk throughput (default 1 GiB in 64 KiB chunks; the reader really
 *   consumes: every byte is copied into its own buffer): anonymous pipe,
 *   FIFO, Unix stream socket (socketpair), SysV shm ring and shared file
 *   mapping ring (4 slots, futex handshake per chunk), SysV message queue
 *   (msgsnd/msgrcv) and POSIX message queue (mq_send/mq_receive) in the
 *   largest message the default limits allow (kernel.msgmax,
 *   fs.mqueue.msgsize_max, read at run time), Deno.Command piped stdout
 *   read with a BYOB reader, Deno.listen unix socket;
 * - ping-pong latency (4-byte round trips): pipe pair, socketpair, shm with
 *   a futex turn counter, SysV queue (two types), two POSIX queues,
 *   Deno.Command stdin/stdout, Deno.listen socket.
 *
 * The summary line answers the seeds' claim ("shared memory is the fastest
 * form of IPC") over the five kinds they name, in the order measured.
 *
 * Each figure is the median and min–max of `--rounds` rounds (default 5);
 * C and Deno rounds alternate (C first in even rounds, Deno first in odd
 * ones), and Deno/C is computed per round. Two placements: both processes
 * pinned to one CPU (sched_setaffinity through FFI in Deno, in C too), which
 * measures code cost, and unpinned, which on a small VM mostly measures
 * waking an idle CPU at every hand-off.
 *
 * The second process of each pair is real: C forks; Deno starts
 * bench/peer.ts (posix_spawnp through lib/process.ts for FFI rows,
 * Deno.Command for built-in rows).
 *
 * Usage: deno task bench [--quick] [--size 1GiB] [--chunk 64KiB]
 *          [--iters 20000] [--rounds 5] [--warm-ms 300] [--cpu N] [--placement both|pinned|unpinned]
 *          [--cc cc] [--json] [--svg chart.svg]
 *
 * @module
 */
import { parseInteger, runMain, takeFlag, takeOption, UsageError } from "../lib/args.ts";
import { onCleanup } from "../lib/signals.ts";
import { inInvocationDirectory } from "../lib/cwd.ts";
import {
  bulkFfi,
  type BulkParams,
  bulkQueue,
  type PingParams,
  pingPongFfi,
  pingPongQueue,
} from "./ffi_runs.ts";
import {
  bulkBuiltinPipe,
  bulkBuiltinSocket,
  pingPongBuiltinPipe,
  pingPongBuiltinSocket,
} from "./builtin_runs.ts";
import { buildC, type CPrograms, runC } from "./c_runs.ts";
import {
  bytesText,
  checkTargets,
  formatSvg,
  formatTable,
  type IpcKind,
  type PlacementResult,
  type Report,
  type RowResult,
  stat,
  summarize,
} from "./report.ts";
import { place, type QueueLimits, queueLimits } from "./shared.ts";
import { MessageQueue } from "../lib/sysv_msg.ts";
import { mqUnlink } from "../lib/posix_mq.ts";
import { Errno, LibcError } from "../lib/errno.ts";

const USAGE = "usage: deno task bench [--quick] [--size BYTES] [--chunk BYTES] [--iters N] " +
  "[--rounds N] [--warm-ms MS] [--cpu N] [--placement both|pinned|unpinned] [--cc CC] [--json] [--svg PATH]";

interface RowSpec {
  id: string;
  kind: "bulk" | "pingpong";
  impl: "ffi" | "builtin";
  /** Which of the seeds' five IPC kinds the row measures. */
  ipc: IpcKind;
  label: string;
  /** Message queue rows: whose size limit the bulk message takes. */
  queue?: "sysv" | "posix";
  /** The C program and mode to compare with. */
  c: { program: keyof CPrograms; mode: string; label: string };
  deno: (b: BulkParams, p: PingParams) => Promise<number>;
}

const ROWS: RowSpec[] = [
  {
    id: "bulk-pipe",
    ipc: "pipes",
    kind: "bulk",
    impl: "ffi",
    label: "anonymous pipe",
    c: { program: "bulk", mode: "pipe", label: "pipe" },
    deno: (b) => bulkFfi("pipe", b),
  },
  {
    id: "bulk-fifo",
    ipc: "FIFOs",
    kind: "bulk",
    impl: "ffi",
    label: "FIFO",
    c: { program: "bulk", mode: "fifo", label: "FIFO" },
    deno: (b) => bulkFfi("fifo", b),
  },
  {
    id: "bulk-socket",
    ipc: "sockets",
    kind: "bulk",
    impl: "ffi",
    label: "Unix stream socket",
    c: { program: "bulk", mode: "socket", label: "socketpair" },
    deno: (b) => bulkFfi("socket", b),
  },
  {
    id: "bulk-shm",
    ipc: "shared memory",
    kind: "bulk",
    impl: "ffi",
    label: "SysV shm ring + futex",
    c: { program: "bulk", mode: "shm", label: "shm ring" },
    deno: (b) => bulkFfi("shm", b),
  },
  {
    id: "bulk-mmap",
    ipc: "shared memory",
    kind: "bulk",
    impl: "ffi",
    label: "shared file mapping ring + futex",
    c: { program: "bulk", mode: "mmap", label: "mmap ring" },
    deno: (b) => bulkFfi("mmap", b),
  },
  {
    id: "bulk-msg",
    ipc: "message queues",
    queue: "sysv",
    kind: "bulk",
    impl: "ffi",
    label: "SysV message queue",
    c: { program: "bulk", mode: "msg", label: "msgsnd/msgrcv" },
    deno: (b) => bulkQueue("msg", b),
  },
  {
    id: "bulk-mq",
    ipc: "message queues",
    queue: "posix",
    kind: "bulk",
    impl: "ffi",
    label: "POSIX message queue",
    c: { program: "bulk", mode: "mq", label: "mq_send/mq_receive" },
    deno: (b) => bulkQueue("mq", b),
  },
  {
    id: "bulk-builtin-pipe",
    ipc: "pipes",
    kind: "bulk",
    impl: "builtin",
    label: "Deno.Command stdout, BYOB reader",
    c: { program: "bulk", mode: "pipe", label: "pipe" },
    deno: (b) => bulkBuiltinPipe(b),
  },
  {
    id: "bulk-builtin-socket",
    ipc: "sockets",
    kind: "bulk",
    impl: "builtin",
    label: "Deno.listen unix socket",
    c: { program: "bulk", mode: "socket", label: "socketpair" },
    deno: (b) => bulkBuiltinSocket(b),
  },
  {
    id: "pingpong-pipe",
    ipc: "pipes",
    kind: "pingpong",
    impl: "ffi",
    label: "pipe pair",
    c: { program: "pingpong", mode: "pipe", label: "pipe pair" },
    deno: (_, p) => pingPongFfi("pipe", p),
  },
  {
    id: "pingpong-socket",
    ipc: "sockets",
    kind: "pingpong",
    impl: "ffi",
    label: "socketpair",
    c: { program: "pingpong", mode: "socket", label: "socketpair" },
    deno: (_, p) => pingPongFfi("socket", p),
  },
  {
    id: "pingpong-shm",
    ipc: "shared memory",
    kind: "pingpong",
    impl: "ffi",
    label: "SysV shm + futex",
    c: { program: "pingpong", mode: "shm", label: "shm + futex" },
    deno: (_, p) => pingPongFfi("shm", p),
  },
  {
    id: "pingpong-msg",
    ipc: "message queues",
    kind: "pingpong",
    impl: "ffi",
    label: "SysV message queue",
    c: { program: "pingpong", mode: "msg", label: "msgsnd/msgrcv" },
    deno: (_, p) => pingPongQueue("msg", p),
  },
  {
    id: "pingpong-mq",
    ipc: "message queues",
    kind: "pingpong",
    impl: "ffi",
    label: "POSIX message queue pair",
    c: { program: "pingpong", mode: "mq", label: "mq_send/mq_receive" },
    deno: (_, p) => pingPongQueue("mq", p),
  },
  {
    id: "pingpong-builtin-pipe",
    ipc: "pipes",
    kind: "pingpong",
    impl: "builtin",
    label: "Deno.Command stdin/stdout",
    c: { program: "pingpong", mode: "pipe", label: "pipe pair" },
    deno: (_, p) => pingPongBuiltinPipe(p),
  },
  {
    id: "pingpong-builtin-socket",
    ipc: "sockets",
    kind: "pingpong",
    impl: "builtin",
    label: "Deno.listen unix socket",
    c: { program: "pingpong", mode: "socket", label: "socketpair" },
    deno: (_, p) => pingPongBuiltinSocket(p),
  },
];

/** The ids of every row, in table order. */
export const ROW_IDS: readonly string[] = ROWS.map((r) => r.id);

/** "1GiB", "64 KiB", "512k", "1000000": a byte count. */
export function parseSize(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)(i?b?)\s*$/i.exec(text);
  if (!m) throw new UsageError(`${what}: not a size: ${JSON.stringify(text)}\n${USAGE}`);
  const scale = { "": 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 }[m[2].toLowerCase()]!;
  return Math.floor(Number(m[1]) * scale);
}

interface Options {
  bytes: number;
  chunk: number;
  iters: number;
  rounds: number;
  warmMs: number;
  cpu: number;
  placements: Array<"pinned" | "unpinned">;
  cc: string;
  json: boolean;
  svg?: string;
}

function parseOptions(args: string[]): Options {
  const quick = takeFlag(args, "quick");
  const json = takeFlag(args, "json");
  const size = takeOption(args, "size");
  const chunkText = takeOption(args, "chunk");
  const iters = takeOption(args, "iters");
  const rounds = takeOption(args, "rounds");
  const warmMs = takeOption(args, "warm-ms");
  const cpu = takeOption(args, "cpu");
  const placement = takeOption(args, "placement") ?? "both";
  const cc = takeOption(args, "cc") ?? "cc";
  const svg = takeOption(args, "svg");
  if (args.length) throw new UsageError(`unexpected argument ${JSON.stringify(args[0])}\n${USAGE}`);
  const chunk = chunkText ? parseSize(chunkText, "--chunk") : 64 * 1024;
  if (chunk < 1 || chunk > 2 ** 26) throw new UsageError("--chunk must be 1 B .. 64 MiB");
  let bytes = size ? parseSize(size, "--size") : quick ? 64 * 2 ** 20 : 2 ** 30;
  bytes = Math.max(chunk, Math.floor(bytes / chunk) * chunk);
  if (bytes / chunk > 2 ** 30) throw new UsageError("--size: too many chunks");
  const cpus = navigator.hardwareConcurrency;
  const o: Options = {
    bytes,
    chunk,
    iters: iters ? parseInteger(iters, "--iters") : quick ? 2000 : 20000,
    rounds: rounds ? parseInteger(rounds, "--rounds") : 5,
    warmMs: warmMs ? parseInteger(warmMs, "--warm-ms") : quick ? 50 : 300,
    cpu: cpu ? parseInteger(cpu, "--cpu") : cpus - 1,
    placements: placement === "both"
      ? ["pinned", "unpinned"]
      : placement === "pinned" || placement === "unpinned"
      ? [placement]
      : (() => {
        throw new UsageError(`--placement must be both, pinned or unpinned\n${USAGE}`);
      })(),
    cc,
    json,
    svg,
  };
  if (o.iters < 1) throw new UsageError("--iters must be at least 1");
  if (o.rounds < 1) throw new UsageError("--rounds must be at least 1");
  if (o.warmMs < 0) throw new UsageError("--warm-ms must not be negative");
  if (o.cpu < 0 || o.cpu >= 1024) throw new UsageError("--cpu out of range");
  return o;
}

/** Remove a run's SysV queue and POSIX queues if they are still there. */
function removeQueues(q: { key: number; name: string }): void {
  const gone = (e: unknown) => e instanceof LibcError && e.errno === Errno.ENOENT;
  try {
    MessageQueue.open(q.key).remove(); // msgget(key, 0), msgctl(IPC_RMID)
  } catch (e) {
    if (!gone(e)) throw e;
  }
  for (const name of [q.name, `${q.name}-d`, `${q.name}-u`]) {
    try {
      mqUnlink(name);
    } catch (e) {
      if (!gone(e)) throw e;
    }
  }
}

/** A line of progress on stderr (stdout stays clean for --json). */
function progress(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(text + "\n"));
}

const MEASURES = {
  pinned: "both processes pinned to one CPU. This table measures CODE COST: every " +
    "hand-off is a plain context switch on the same CPU, nobody waits for an idle CPU to wake.",
  unpinned: "the scheduler places both processes. On a small VM this mostly measures " +
    "waking an idle CPU at each hand-off (tens of µs), not the code; read it as what a " +
    "default deployment sees.",
};

async function measure(o: Options, dir: string): Promise<Report> {
  const cDir = `${dir}/c`;
  await Deno.mkdir(cDir);
  const built = await buildC(o.cc, cDir);
  const programs = typeof built === "string" ? null : built;
  const cNote = typeof built === "string" ? built : undefined;
  // Warm-up: enough loop iterations for V8 to optimize the hot loops (and
  // so take the FFI fast path) in the freshly started peer: 4096 pieces of
  // at most 4 KiB. C runs the same warm-up.
  const warmChunk = Math.min(o.chunk, 4096);
  const warmBytes = warmChunk * 4096;
  // Ping-pong warm-up: V8 needs ~10^4 iterations of a loop before it runs
  // optimized code (measured: 2000 warm-up round trips left the pipe row at
  // 1.9x C, 10000 brought it to 1.2x). Up to 20000 round trips or
  // --warm-ms, whichever ends first; C runs the same rule.
  const warmMax = 20000;
  // Message queues: the largest message the default limits allow (read now),
  // a new key / name for every run (C and Deno alike), all listed in the report.
  const limits: QueueLimits = queueLimits();
  const used = { keys: [] as number[], names: [] as string[] };
  const keyBase = (0x62000000 | ((Deno.pid & 0xfff) << 12)) >>> 0; // 'b' + our pid
  const nextQueue = () => {
    const n = used.keys.length;
    if (n >= 0x1000) throw new Error("bench: too many queue runs for one key range");
    const key = keyBase + n, name = `/ipc-lab-bench-${Deno.pid}-${n}`;
    used.keys.push(key);
    used.names.push(name);
    return { key, name };
  };
  const placements: PlacementResult[] = [];
  for (const placement of o.placements) {
    const cpu = placement === "pinned" ? o.cpu : null;
    place(cpu); // this thread, and every process started from it from now on
    const rows: RowResult[] = [];
    for (const spec of ROWS) {
      // A queue row's bulk message: --chunk, capped at the system's limit.
      const chunk = spec.queue ? Math.min(o.chunk, limits[spec.queue]) : o.chunk;
      const bytes = Math.max(chunk, Math.floor(o.bytes / chunk) * chunk);
      const warmChunk = Math.min(chunk, 4096);
      const warm = warmChunk * 4096;
      const b: BulkParams = { bytes, chunk, warm, warmChunk, cpu, dir };
      const p: PingParams = { iters: o.iters, warmMax, warmMs: o.warmMs, cpu, dir };
      const cValues: number[] = [];
      const denoValues: number[] = [];
      const toFigure = spec.kind === "bulk"
        ? (ns: number) => bytes / ns // bytes per ns = GB/s
        : (ns: number) => ns / o.iters / 1000; // µs per round trip
      const isQueue = spec.ipc === "message queues";
      const runCOnce = async () => {
        if (!programs) return;
        const q = isQueue ? nextQueue() : undefined;
        const where = q ? (spec.c.mode === "msg" ? `0x${q.key.toString(16)}` : q.name) : dir;
        const args = spec.c.program === "bulk"
          ? [spec.c.mode, bytes, chunk, warm, warmChunk, cpu ?? -1, where]
          : [spec.c.mode, o.iters, warmMax, o.warmMs, cpu ?? -1, ...(q ? [where] : [])];
        try {
          cValues.push(toFigure(await runC(programs[spec.c.program], args)));
        } finally {
          if (q) removeQueues(q); // a C program that died early leaves them
        }
      };
      const runDenoOnce = async () => {
        const q = isQueue ? nextQueue() : {};
        denoValues.push(toFigure(await spec.deno({ ...b, ...q }, { ...p, ...q })));
      };
      for (let round = 0; round < o.rounds; round++) {
        if (round % 2 === 0) {
          await runCOnce();
          await runDenoOnce();
        } else {
          await runDenoOnce();
          await runCOnce();
        }
      }
      const ratios = programs ? denoValues.map((v, i) => v / cValues[i]) : null;
      const result: RowResult = {
        id: spec.id,
        kind: spec.kind,
        impl: spec.impl,
        ipc: spec.ipc,
        label: spec.label,
        cLabel: spec.c.label,
        unit: spec.kind === "bulk" ? "GB/s" : "µs",
        c: programs ? stat(cValues) : null,
        deno: stat(denoValues),
        ratio: ratios ? stat(ratios) : null,
      };
      if (spec.kind === "bulk") Object.assign(result, { bytes, chunk });
      if (cNote) result.cNote = cNote;
      rows.push(result);
      const show = (v: number) => v.toFixed(2);
      progress(
        `[${placement}] ${spec.id}: C ${
          result.c ? show(result.c.median) : cNote
        } ${result.unit}, ` +
          `Deno ${show(result.deno.median)} ${result.unit}`,
      );
    }
    placements.push({ placement, cpu, measures: MEASURES[placement], rows });
  }
  place(null);
  const report: Report = {
    date: new Date().toISOString(),
    machine: {
      cpus: navigator.hardwareConcurrency,
      arch: Deno.build.arch,
      os: Deno.build.os,
      deno: Deno.version.deno,
      v8: Deno.version.v8,
    },
    options: {
      bytes: o.bytes,
      chunk: o.chunk,
      warmBytes,
      iters: o.iters,
      warmMaxIters: warmMax,
      warmMs: o.warmMs,
      rounds: o.rounds,
      cc: programs ? o.cc : cNote!,
      messageSize: {
        sysv: {
          bytes: Math.min(o.chunk, limits.sysv),
          limit: limits.sysv,
          from: "/proc/sys/kernel/msgmax",
        },
        posix: {
          bytes: Math.min(o.chunk, limits.posix),
          limit: limits.posix,
          from: "/proc/sys/fs/mqueue/msgsize_max",
        },
      },
      queues: used,
    },
    placements,
    targets: [],
    summary: [],
  };
  report.targets = checkTargets(report);
  report.summary = summarize(report);
  return report;
}

async function main(args: string[]): Promise<number> {
  const o = parseOptions(args);
  progress(
    `bench: ${bytesText(o.bytes)} bulk, ${o.iters} round trips, ${o.rounds} rounds, ` +
      `${o.placements.join(" + ")}${o.placements.includes("pinned") ? ` (CPU ${o.cpu})` : ""}`,
  );
  const dir = await Deno.makeTempDir({ prefix: "ipc-lab-bench-" });
  // Ctrl+C: removed by the cleanup registry (after the round in progress:
  // hot loops are synchronous); normally: removed in finally.
  const guard = onCleanup(`remove ${dir}`, () => Deno.removeSync(dir, { recursive: true }));
  let report: Report;
  try {
    report = await measure(o, dir);
  } finally {
    guard.done();
    await Deno.remove(dir, { recursive: true });
  }
  if (o.svg) {
    const path = inInvocationDirectory(o.svg);
    await Deno.writeTextFile(path, formatSvg(report));
    progress(`bench: chart written to ${path}`);
  }
  console.log(o.json ? JSON.stringify(report, null, 2) : formatTable(report));
  return 0;
}

if (import.meta.main) {
  await runMain("bench", () => main([...Deno.args]), { usage: USAGE });
}
