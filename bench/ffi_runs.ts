/**
 * The parent side of every "Deno through FFI" row: make the channel with
 * the project's lib/ modules, start bench/peer.ts as a real process with
 * lib/process.ts `spawn` (posix_spawnp; the channel's fds reach it through
 * dup2 file actions), run the same protocol as bench/c/*.c, and return the
 * nanoseconds of the timed part.
 *
 * Protocol: peer pins itself, sets up, writes 'R' on the control pipe; the
 * parent removes names (IPC_RMID, unlink) now that both sides hold the
 * object, runs the warm-up (so V8 has optimized the loops and the FFI calls
 * take the fast path), waits for 'W', starts the clock, runs the timed
 * part, waits for 'D' (bulk), stops the clock.
 *
 * @module
 */
import { libc } from "../lib/ffi/libc_ffi.ts";
import {
  failed,
  Fd,
  openFile,
  pipe,
  read,
  readFull,
  setNonBlocking,
  write,
  writeAll,
} from "../lib/fd.ts";
import { Errno, LibcError } from "../lib/errno.ts";
import { O } from "../lib/constants.ts";
import { ChildProcess, denoArgv, getpid, spawn } from "../lib/process.ts";
import { ftruncate, MAP, mmap, PROT } from "../lib/mmap.ts";
import { shmAttach, shmget, shmRemove } from "../lib/sysv_shm.ts";
import { IPC } from "../lib/sysv_ipc.ts";
import { mkfifo } from "../lib/fifo.ts";
import { unlinkIfExists } from "../lib/files.ts";
import { MessageQueue } from "../lib/sysv_msg.ts";
import { PosixMessageQueue } from "../lib/posix_mq.ts";
import type { PeerSpec } from "./peer.ts";
import {
  childGone,
  futexWake,
  msgBuffer,
  QUEUE,
  Ring,
  ringBytes,
  ringWrite,
  STOP,
  waitChange,
} from "./shared.ts";

/** Sizes and placement of one bulk run. */
export interface BulkParams {
  /** Timed bytes (a multiple of chunk). */
  bytes: number;
  chunk: number;
  /** Warm-up bytes before the clock starts, sent in `warmChunk` pieces:
   * V8 optimizes after a number of loop iterations, not bytes, so many
   * small pieces warm up as well as few big ones and cost less. */
  warm: number;
  warmChunk: number;
  /** The CPU both processes are pinned to; null = unpinned. */
  cpu: number | null;
  /** A private temp directory (FIFO, mapped file, unix socket). */
  dir: string;
  /** Message queues: this run's SysV key and POSIX name (unique per run). */
  key?: number;
  name?: string;
}

/** Counts and placement of one ping-pong run. */
export interface PingParams {
  /** Timed round trips. */
  iters: number;
  /** Warm-up: at most this many round trips... */
  warmMax: number;
  /** ...or this many milliseconds, whichever ends first. */
  warmMs: number;
  cpu: number | null;
  dir: string;
  /** Message queues: this run's SysV key and POSIX name (unique per run). */
  key?: number;
  name?: string;
}

export type BulkChannel = "pipe" | "fifo" | "socket" | "shm" | "mmap";
export type PingChannel = "pipe" | "socket" | "shm";
export type QueueChannel = "msg" | "mq";

const PEER = new URL("./peer.ts", import.meta.url);

/** `deno run ... bench/peer.ts <spec>` with the peer's (small) permissions. */
export function peerArgv(spec: PeerSpec, dir: string): string[] {
  return denoArgv(PEER, [JSON.stringify(spec)], [
    "--allow-ffi",
    "--allow-env=IPC_TRACE",
    `--allow-read=${dir}`,
    `--allow-write=${dir}`,
  ]);
}

const AF_UNIX = 1;
const SOCK_STREAM = 1;
const SOCK_CLOEXEC = O.CLOEXEC;

/** socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC): raw (lib/socket.ts was not there yet). */
function socketPair(): [Fd, Fd] {
  const sv = new Int32Array(2);
  if (libc.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, new Uint8Array(sv.buffer)) === -1) {
    failed("socketpair", "socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0)");
  }
  return [new Fd(sv[0]), new Fd(sv[1])];
}

const BYTE = new Uint8Array(1);

function expectByte(fd: number, want: string): void {
  const n = readFull(fd, BYTE);
  if (n !== 1) throw new Error(`the peer ended before sending '${want}'`);
  if (BYTE[0] !== want.charCodeAt(0)) {
    throw new Error(`control: wanted '${want}', got '${String.fromCharCode(BYTE[0])}'`);
  }
}

/** Write `total` bytes as whole `src` chunks (blocking fd, like C's loop). */
function writeChunks(fd: number, src: Uint8Array, total: number): void {
  for (let done = 0; done < total; done += src.length) {
    const n = write(fd, src);
    if (n !== src.length) writeAll(fd, src.subarray(n)); // rare: a short write
  }
}

/** Open the FIFO's write end once the peer is opening its read end. */
async function openFifoWriter(path: string, child: ChildProcess): Promise<Fd> {
  for (;;) {
    try {
      const fd = openFile(path, O.WRONLY | O.NONBLOCK | O.CLOEXEC);
      setNonBlocking(fd.fd, false); // blocking writes, as in the C twin
      return fd;
    } catch (e) {
      if (!(e instanceof LibcError) || e.errno !== Errno.ENXIO) throw e;
    }
    if (child.tryWait()) throw new Error("the peer ended before opening the FIFO");
    await new Promise((r) => setTimeout(r, 1));
  }
}

async function finish(child: ChildProcess): Promise<void> {
  const status = await child.wait();
  if (!status.success) throw new Error(`bench peer failed (${JSON.stringify(status)})`);
}

/** One bulk run through `channel`; returns the timed nanoseconds. */
export async function bulkFfi(channel: BulkChannel, p: BulkParams): Promise<number> {
  const src = new Uint8Array(p.chunk).fill(0x78);
  const w = p.warm / p.warmChunk, n = p.bytes / p.chunk;
  const size = ringBytes(p.chunk);
  const path = `${p.dir}/bench-deno.${channel}`;
  const parent = getpid();
  using ctl = pipe();
  const owned: Disposable[] = [];
  let shmid = -1;
  let named = false;
  try {
    const spec: PeerSpec = {
      mode: "bulk",
      channel,
      ctl: ctl.write.fd,
      bytes: p.bytes,
      chunk: p.chunk,
      warm: p.warm,
      warmChunk: p.warmChunk,
      cpu: p.cpu,
      parent,
    };
    let writer: Fd | undefined;
    let childEnd: Fd | undefined;
    let ring: Ring | undefined;
    let warmRing: Ring | undefined;
    if (channel === "pipe") {
      const d = pipe();
      owned.push(d);
      writer = d.write;
      childEnd = d.read;
    } else if (channel === "socket") {
      const [mine, theirs] = socketPair();
      owned.push(mine, theirs);
      writer = mine;
      childEnd = theirs;
    } else if (channel === "fifo") {
      mkfifo(path, 0o600);
      named = true;
      spec.path = path;
    } else if (channel === "shm") {
      shmid = shmget(IPC.PRIVATE, size, IPC.CREAT | 0o600);
      spec.shmid = shmid;
      const seg = shmAttach(shmid);
      owned.push(seg);
      const base = Deno.UnsafePointer.create(seg.address)!;
      ring = new Ring(base, seg.bytes, p.chunk);
      warmRing = new Ring(base, seg.bytes, p.warmChunk);
    } else {
      const file = openFile(path, O.RDWR | O.CREAT | O.EXCL | O.CLOEXEC, 0o600);
      named = true;
      owned.push(file);
      ftruncate(file.fd, size);
      const map = mmap(size, PROT.READ | PROT.WRITE, MAP.SHARED, file.fd, 0);
      owned.push(map);
      const base = Deno.UnsafePointer.create(map.address)!;
      ring = new Ring(base, map.bytes, p.chunk);
      warmRing = new Ring(base, map.bytes, p.warmChunk);
      spec.path = path;
    }
    if (childEnd) spec.fd = childEnd.fd;
    const argv = peerArgv(spec, p.dir);
    const inherit = [ctl.write.fd, ...(childEnd ? [childEnd.fd] : [])];
    using child = spawn(argv[0], argv, {
      fileActions: inherit.map((fd) => ({ dup2: [fd, fd] as [number, number] })),
    });
    ctl.write.close();
    childEnd?.close();
    if (channel === "fifo") {
      const fd = await openFifoWriter(path, child);
      owned.push(fd);
      writer = fd;
    }
    expectByte(ctl.read.fd, "R");
    // Both sides hold the object now: drop its name (nothing is left behind
    // even if we are killed from here on).
    if (shmid !== -1) {
      shmRemove(shmid);
      shmid = -1;
    }
    if (named) {
      unlinkIfExists(path);
      named = false;
    }
    let t0: number;
    if (ring) {
      const gone = childGone(ctl.read.fd);
      ringWrite(warmRing!, src.subarray(0, p.warmChunk), 0, w, gone);
      expectByte(ctl.read.fd, "W");
      t0 = performance.now();
      ringWrite(ring, src, w, w + n, gone);
    } else {
      writeChunks(writer!.fd, src.subarray(0, p.warmChunk), p.warm);
      expectByte(ctl.read.fd, "W");
      t0 = performance.now();
      writeChunks(writer!.fd, src, p.bytes);
    }
    expectByte(ctl.read.fd, "D");
    const t1 = performance.now();
    await finish(child);
    return (t1 - t0) * 1e6;
  } finally {
    for (const o of owned.reverse()) o[Symbol.dispose]();
    if (shmid !== -1) shmRemove(shmid);
    if (named) unlinkIfExists(path);
  }
}

/** Round trips k = from .. from+count-1 over fds (the peer answers k + 1). */
function pingFd(
  sendFd: number,
  recvFd: number,
  bytes: Uint8Array,
  value: Uint32Array,
  from: number,
  count: number,
): void {
  for (let k = from; k < from + count; k++) {
    value[0] = k;
    write(sendFd, bytes);
    if (read(recvFd, bytes) !== 4 || value[0] !== k + 1) throw new Error("bad reply");
  }
}

/** Round trips through shared memory: odd turn = our message, even = the reply. */
function pingShm(ring: Ring, gone: () => boolean, from: number, count: number): void {
  const { msg, state, statePtr } = ring;
  for (let k = from; k < from + count; k++) {
    msg[0] = k;
    Atomics.store(state, 0, 2 * k - 1);
    futexWake(statePtr);
    waitChange(ring, 2 * k - 1, gone);
    if (msg[0] !== k + 1) throw new Error("bad reply");
  }
}

/**
 * Warm up (batches of 256 round trips until `warmMax` or `warmMs`, the same
 * rule as bench/c/pingpong.c), then time `iters` round trips; nanoseconds.
 * The same loop function runs both phases, so the timed call runs the code
 * V8 optimized during the warm-up.
 */
export function drive(p: PingParams, loop: (from: number, count: number) => void): number {
  let k = 0;
  const end = performance.now() + p.warmMs;
  while (k < p.warmMax) {
    const count = Math.min(256, p.warmMax - k);
    loop(k + 1, count);
    k += count;
    if (performance.now() > end) break;
  }
  const t0 = performance.now();
  loop(k + 1, p.iters);
  return (performance.now() - t0) * 1e6;
}

/** One ping-pong run over `channel`; returns the nanoseconds of `iters` round trips. */
export async function pingPongFfi(channel: PingChannel, p: PingParams): Promise<number> {
  using ctl = pipe();
  const owned: Disposable[] = [];
  let shmid = -1;
  try {
    const spec: PeerSpec = {
      mode: "pingpong",
      channel,
      ctl: ctl.write.fd,
      cpu: p.cpu,
      parent: getpid(),
    };
    let send: Fd | undefined;
    let recvFd = -1;
    const childEnds: Fd[] = [];
    let ring: Ring | undefined;
    if (channel === "pipe") {
      const down = pipe(), up = pipe();
      owned.push(down, up);
      send = down.write;
      recvFd = up.read.fd;
      childEnds.push(down.read, up.write);
      spec.down = down.read.fd;
      spec.up = up.write.fd;
    } else if (channel === "socket") {
      const [mine, theirs] = socketPair();
      owned.push(mine, theirs);
      send = mine;
      recvFd = mine.fd;
      childEnds.push(theirs);
      spec.down = spec.up = theirs.fd;
    } else {
      shmid = shmget(IPC.PRIVATE, ringBytes(0), IPC.CREAT | 0o600);
      spec.shmid = shmid;
      const seg = shmAttach(shmid);
      owned.push(seg);
      ring = new Ring(Deno.UnsafePointer.create(seg.address)!, seg.bytes, 0);
    }
    const argv = peerArgv(spec, p.dir);
    using child = spawn(argv[0], argv, {
      fileActions: [ctl.write.fd, ...childEnds.map((f) => f.fd)].map((fd) => ({
        dup2: [fd, fd] as [number, number],
      })),
    });
    ctl.write.close();
    for (const f of childEnds) f.close();
    expectByte(ctl.read.fd, "R");
    let ns: number;
    if (ring) {
      shmRemove(shmid);
      shmid = -1;
      const gone = childGone(ctl.read.fd);
      const r = ring;
      ns = drive(p, (from, count) => pingShm(r, gone, from, count));
      Atomics.store(r.state, 0, STOP);
      futexWake(r.statePtr);
    } else {
      const bytes = new Uint8Array(4);
      const value = new Uint32Array(bytes.buffer);
      const sendFd = send!.fd;
      ns = drive(p, (from, count) => pingFd(sendFd, recvFd, bytes, value, from, count));
      send!.close(); // the peer reads end of file and ends
    }
    await finish(child);
    return ns;
  } finally {
    for (const o of owned.reverse()) o[Symbol.dispose]();
    if (shmid !== -1) shmRemove(shmid);
  }
}

// ---- message queues -----------------------------------------------------------
//
// Made and removed through lib/ (MessageQueue, PosixMessageQueue); the hot
// loops call the raw symbols with buffers made once per run (lib's msgsnd
// and mq_receive wrappers allocate a buffer per message), as the other rows
// call lib/fd.ts read/write on preallocated buffers.

const ZERO = 0n;
const TYPE_UP = BigInt(QUEUE.UP);
const FOUR = 4n;

/** msgsnd `total` bytes as messages of `size` bytes from `m` (mtype set). */
export function msgWrite(
  id: number,
  m: Uint8Array<ArrayBuffer>,
  size: number,
  total: number,
): void {
  const n = BigInt(size);
  for (let done = 0; done < total; done += size) {
    if (libc.msgsnd(id, m, n, 0) === -1) failed("msgsnd", `msgsnd(${id}, ..., ${size}, 0)`);
  }
}

/** mq_send `total` bytes as messages of `size` bytes from `src`. */
export function mqWrite(
  mqd: number,
  src: Uint8Array<ArrayBuffer>,
  size: number,
  total: number,
): void {
  const n = BigInt(size);
  for (let done = 0; done < total; done += size) {
    if (libc.mq_send(mqd, src, n, 0) === -1) failed("mq_send", `mq_send(${mqd}, ..., ${size}, 0)`);
  }
}

/** One bulk run through a SysV or POSIX message queue, messages of `p.chunk` bytes. */
export async function bulkQueue(channel: QueueChannel, p: BulkParams): Promise<number> {
  const size = p.chunk;
  using ctl = pipe();
  const spec: PeerSpec = {
    mode: "bulk",
    channel,
    ctl: ctl.write.fd,
    bytes: p.bytes,
    chunk: size,
    warm: p.warm,
    warmChunk: p.warmChunk,
    cpu: p.cpu,
    parent: getpid(),
    key: p.key,
    path: p.name,
  };
  // msgget(key, IPC_CREAT|IPC_EXCL|0600) / mq_open(name, O_WRONLY|O_CREAT|O_EXCL, 0600, attr)
  using msq = channel === "msg" ? MessageQueue.create(p.key!) : undefined;
  using mq = channel === "mq"
    ? PosixMessageQueue.create(p.name!, {
      flags: O.WRONLY,
      attr: { maxMessages: QUEUE.MAXMSG, messageSize: size },
    })
    : undefined;
  const argv = peerArgv(spec, p.dir);
  using child = spawn(argv[0], argv, {
    fileActions: [{ dup2: [ctl.write.fd, ctl.write.fd] as [number, number] }],
  });
  ctl.write.close();
  expectByte(ctl.read.fd, "R");
  mq?.remove(); // both sides have it open: drop the name (a SysV queue has none to drop)
  let t0: number;
  if (msq) {
    const m = msgBuffer(size, QUEUE.DOWN);
    msgWrite(msq.id, m, p.warmChunk, p.warm);
    expectByte(ctl.read.fd, "W");
    t0 = performance.now();
    msgWrite(msq.id, m, size, p.bytes);
  } else {
    const src = new Uint8Array(size).fill(0x78);
    mqWrite(mq!.mqd, src, p.warmChunk, p.warm);
    expectByte(ctl.read.fd, "W");
    t0 = performance.now();
    mqWrite(mq!.mqd, src, size, p.bytes);
  }
  expectByte(ctl.read.fd, "D");
  const t1 = performance.now();
  await finish(child);
  msq?.remove(); // msgctl(id, IPC_RMID, NULL)
  mq?.close(); // mq_close(mqd)
  return (t1 - t0) * 1e6;
}

/** SysV round trips: type DOWN to the peer, type UP back with k + 1. */
function pingMsg(
  id: number,
  out: Uint8Array<ArrayBuffer>,
  back: Uint8Array<ArrayBuffer>,
  from: number,
  count: number,
) {
  const outValue = new Uint32Array(out.buffer, 8, 1);
  const backValue = new Uint32Array(back.buffer, 8, 1);
  for (let k = from; k < from + count; k++) {
    outValue[0] = k;
    if (libc.msgsnd(id, out, FOUR, 0) === -1) failed("msgsnd", `msgsnd(${id}, ..., 4, 0)`);
    const n = libc.msgrcv(id, back, FOUR, TYPE_UP, 0);
    if (Number(n) !== 4) failed("msgrcv", `msgrcv(${id}, ..., 4, ${QUEUE.UP}, 0)`);
    if (backValue[0] !== k + 1) throw new Error("bad reply");
  }
}

/** POSIX round trips over two queues: down, then the reply on up. */
function pingMq(
  down: number,
  up: number,
  bytes: Uint8Array<ArrayBuffer>,
  from: number,
  count: number,
) {
  const value = new Uint32Array(bytes.buffer, 0, 1);
  for (let k = from; k < from + count; k++) {
    value[0] = k;
    if (libc.mq_send(down, bytes, FOUR, 0) === -1) failed("mq_send", `mq_send(${down}, ..., 4, 0)`);
    const n = libc.mq_receive(up, bytes, FOUR, null);
    if (Number(n) !== 4) failed("mq_receive", `mq_receive(${up}, ..., 4, NULL)`);
    if (value[0] !== k + 1) throw new Error("bad reply");
  }
}

/** One ping-pong run over a SysV queue (two types) or two POSIX queues. */
export async function pingPongQueue(channel: QueueChannel, p: PingParams): Promise<number> {
  using ctl = pipe();
  const spec: PeerSpec = {
    mode: "pingpong",
    channel,
    ctl: ctl.write.fd,
    cpu: p.cpu,
    parent: getpid(),
    key: p.key,
    path: p.name,
  };
  const attr = { maxMessages: QUEUE.MAXMSG, messageSize: 4 };
  using msq = channel === "msg" ? MessageQueue.create(p.key!) : undefined;
  using down = channel === "mq"
    ? PosixMessageQueue.create(`${p.name}-d`, { flags: O.WRONLY, attr })
    : undefined;
  using up = channel === "mq"
    ? PosixMessageQueue.create(`${p.name}-u`, { flags: O.RDONLY, attr })
    : undefined;
  const argv = peerArgv(spec, p.dir);
  using child = spawn(argv[0], argv, {
    fileActions: [{ dup2: [ctl.write.fd, ctl.write.fd] as [number, number] }],
  });
  ctl.write.close();
  expectByte(ctl.read.fd, "R");
  down?.remove();
  up?.remove();
  let ns: number;
  if (msq) {
    const id = msq.id;
    const out = msgBuffer(4, QUEUE.DOWN), back = msgBuffer(4, QUEUE.UP);
    ns = drive(p, (from, count) => pingMsg(id, out, back, from, count));
    if (libc.msgsnd(id, out, ZERO, 0) === -1) failed("msgsnd", "msgsnd(stop)"); // empty: stop
  } else {
    const d = down!.mqd, u = up!.mqd;
    const bytes = new Uint8Array(4);
    ns = drive(p, (from, count) => pingMq(d, u, bytes, from, count));
    if (libc.mq_send(d, bytes, ZERO, 0) === -1) failed("mq_send", "mq_send(stop)");
  }
  await finish(child);
  msq?.remove();
  down?.close();
  up?.close();
  return ns;
}
