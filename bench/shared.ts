/**
 * What the benchmark's two sides (bench/ffi_runs.ts in the parent,
 * bench/peer.ts in the child) share: CPU placement through
 * `sched_setaffinity`, the ring layout in shared memory (the same offsets
 * as bench/c/common.h), futex wait/wake, and SysV segment attach/detach.
 *
 * Hot-path rules kept here: `usize`/`i64` arguments are bigint constants,
 * every view (slots, counters) is made once per run, nothing is allocated
 * per message. SysV segments come from lib/sysv_shm.ts, file mappings from
 * lib/mmap.ts, FIFOs from lib/fifo.ts, pipes and reads/writes from
 * lib/fd.ts; only `socketpair` and futex(2) are raw symbols.
 *
 * @module
 */
import { libc } from "../lib/ffi/libc_ffi.ts";
import { failed, pollOne } from "../lib/fd.ts";
import { POLL } from "../lib/constants.ts";
import { ABI } from "../lib/abi.ts";

/** Byte offsets in the shared ring (keep in step with bench/c/common.h). */
export const RING = {
  HEAD: 0,
  TAIL: 64,
  STATE: 128,
  MSG: 192,
  DATA: 4096,
  SLOTS: 4,
} as const;

/** Bytes a ring of `chunk`-sized slots needs. */
export function ringBytes(chunk: number): number {
  return RING.DATA + RING.SLOTS * chunk;
}

// ---- CPU placement ----------------------------------------------------

const CPU_SET_BYTES = ABI.struct.cpu_set_t.sizeof; // sizeof(cpu_set_t) in glibc: 1024 CPUs

/**
 * Pin the calling thread to `cpu`, or with `null` allow every CPU. Threads
 * and processes started afterwards from this thread inherit the mask.
 */
export function place(cpu: number | null): void {
  const mask = new Uint8Array(CPU_SET_BYTES);
  if (cpu === null) mask.fill(0xff);
  else mask[cpu >> 3] = 1 << (cpu & 7);
  if (libc.sched_setaffinity(0, BigInt(CPU_SET_BYTES), mask) === -1) {
    failed("sched_setaffinity", `sched_setaffinity(0, ${CPU_SET_BYTES}, {${cpu ?? "all"}})`);
  }
}

// ---- futex --------------------------------------------------------------

const SYS_FUTEX = BigInt(ABI.const.SYS_futex);
const FUTEX_WAIT = ABI.const.FUTEX_WAIT; // not FUTEX_PRIVATE_FLAG: the word is shared between processes
const FUTEX_WAKE = ABI.const.FUTEX_WAKE;
/** struct timespec { 1 s, 0 ns }: a wait wakes up to check the peer is alive. */
const ONE_SECOND = new BigInt64Array([1n, 0n]);
const ONE_SECOND_PTR = Deno.UnsafePointer.of(ONE_SECOND);

/** futex(addr, FUTEX_WAIT, expected, 1 s): sleep while `*addr == expected`. */
export function futexWait(addr: Deno.PointerValue, expected: number): void {
  libc.syscall(SYS_FUTEX, addr, FUTEX_WAIT, expected, ONE_SECOND_PTR, null, 0);
}

/** futex(addr, FUTEX_WAKE, 1): wake one waiter. */
export function futexWake(addr: Deno.PointerValue): void {
  libc.syscall(SYS_FUTEX, addr, FUTEX_WAKE, 1, null, null, 0);
}

// ---- the ring -------------------------------------------------------------

/** Views over a ring in shared memory at `base` (`bytes` maps the same memory). */
export class Ring {
  readonly head: Int32Array;
  readonly tail: Int32Array;
  readonly state: Int32Array;
  readonly msg: Uint32Array;
  readonly headPtr: Deno.PointerValue;
  readonly tailPtr: Deno.PointerValue;
  readonly statePtr: Deno.PointerValue;
  /** One view per slot, made once: the hot loops never call subarray. */
  readonly slots: Uint8Array[];

  constructor(base: Deno.PointerObject, bytes: Uint8Array, chunk: number) {
    const buffer = bytes.buffer;
    this.head = new Int32Array(buffer, bytes.byteOffset + RING.HEAD, 1);
    this.tail = new Int32Array(buffer, bytes.byteOffset + RING.TAIL, 1);
    this.state = new Int32Array(buffer, bytes.byteOffset + RING.STATE, 1);
    this.msg = new Uint32Array(buffer, bytes.byteOffset + RING.MSG, 1);
    this.headPtr = Deno.UnsafePointer.offset(base, RING.HEAD);
    this.tailPtr = Deno.UnsafePointer.offset(base, RING.TAIL);
    this.statePtr = Deno.UnsafePointer.offset(base, RING.STATE);
    this.slots = [];
    for (let i = 0; i < RING.SLOTS; i++) {
      const start = bytes.byteOffset + RING.DATA + i * chunk;
      this.slots.push(new Uint8Array(buffer, start, chunk));
    }
  }
}

/** Writer: put `src` into chunks [from, to) of the ring, futex handshakes. */
export function ringWrite(
  ring: Ring,
  src: Uint8Array,
  from: number,
  to: number,
  peerGone: () => boolean,
): void {
  const { head, tail, slots, headPtr, tailPtr } = ring;
  for (let i = from; i < to; i++) {
    for (;;) {
      const t = Atomics.load(tail, 0);
      if (i - t < RING.SLOTS) break;
      futexWait(tailPtr, t);
      if (Atomics.load(tail, 0) === t && peerGone()) throw new Error("the reader went away");
    }
    slots[i % RING.SLOTS].set(src);
    Atomics.store(head, 0, i + 1);
    futexWake(headPtr);
  }
}

/** Reader: copy chunks [from, to) of the ring into `dst` (really consuming). */
export function ringRead(
  ring: Ring,
  dst: Uint8Array,
  from: number,
  to: number,
  peerGone: () => boolean,
): void {
  const { head, tail, slots, headPtr, tailPtr } = ring;
  for (let i = from; i < to; i++) {
    for (;;) {
      const h = Atomics.load(head, 0);
      if (h > i) break;
      futexWait(headPtr, h);
      if (Atomics.load(head, 0) === h && peerGone()) throw new Error("the writer went away");
    }
    dst.set(slots[i % RING.SLOTS]);
    Atomics.store(tail, 0, i + 1);
    futexWake(tailPtr);
  }
}

/** Sleep on the ping-pong turn counter while it holds `current`; return the new value. */
export function waitChange(ring: Ring, current: number, peerGone: () => boolean): number {
  const { state, statePtr } = ring;
  for (;;) {
    const v = Atomics.load(state, 0);
    if (v !== current) return v;
    futexWait(statePtr, current);
    if (Atomics.load(state, 0) === current && peerGone()) throw new Error("the peer went away");
  }
}

/** The turn counter value that tells the ping-pong peer to stop. */
export const STOP = -1;

/** For the parent: the child's end of the control pipe hung up. */
export function childGone(ctlReadFd: number): () => boolean {
  return () => (pollOne(ctlReadFd, POLL.IN, 0) & POLL.HUP) !== 0;
}

/** For the child: we were reparented, so the parent is gone. */
export function parentGone(parentPid: number): () => boolean {
  return () => libc.getppid() !== parentPid;
}

// ---- message queues ---------------------------------------------------------

/** Keep in step with bench/c/common.h: the SysV types and the POSIX queue depth. */
export const QUEUE = {
  /** SysV type of a message to the peer (bulk data, ping). */
  DOWN: 1,
  /** SysV type of a ping-pong reply. */
  UP: 2,
  /** POSIX `mq_maxmsg`: Linux's default `fs.mqueue.msg_default`. */
  MAXMSG: 10,
} as const;

/** The largest message the system's default limits allow, read at run time. */
export interface QueueLimits {
  /** `/proc/sys/kernel/msgmax`: the largest SysV message (msgsnd). */
  sysv: number;
  /** `/proc/sys/fs/mqueue/msgsize_max`: the largest POSIX `mq_msgsize`. */
  posix: number;
}

/** Read both limits from /proc (Linux's compiled-in defaults, 8192, if unreadable). */
export function queueLimits(): QueueLimits {
  const read = (path: string) => {
    try {
      const n = Number(Deno.readTextFileSync(path).trim());
      return Number.isSafeInteger(n) && n > 0 ? n : 8192;
    } catch {
      return 8192;
    }
  };
  return {
    sysv: read("/proc/sys/kernel/msgmax"),
    posix: read("/proc/sys/fs/mqueue/msgsize_max"),
  };
}

/** A SysV message buffer (`long mtype`, then `size` bytes), made once per run. */
export function msgBuffer(size: number, type: number): Uint8Array<ArrayBuffer> {
  const mtext = ABI.struct.msgbuf.mtext; // offsetof(struct msgbuf, mtext)
  const buf = new Uint8Array(mtext + size).fill(0x78);
  new DataView(buf.buffer).setBigInt64(ABI.struct.msgbuf.mtype, BigInt(type), true);
  return buf;
}
