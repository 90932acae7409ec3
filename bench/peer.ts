/**
 * The benchmark's second process: `bench.ts` starts it as a real Deno
 * process (C would fork; a Deno process cannot, see lib/process.ts) with
 * one JSON argument saying what to do. Not meant to be run by hand.
 *
 * FFI modes use lib/fd.ts read/write (the project's own layer) on fds the
 * parent passed down, or a ring in shared memory with futex handshakes;
 * builtin modes use only Deno's own APIs, as a user would.
 *
 * @module
 */
import { openFile, read, write } from "../lib/fd.ts";
import { O } from "../lib/constants.ts";
import { MAP, mmap, PROT } from "../lib/mmap.ts";
import { shmAttach } from "../lib/sysv_shm.ts";
import { failed } from "../lib/fd.ts";
import { libc } from "../lib/ffi/libc_ffi.ts";
import { MessageQueue } from "../lib/sysv_msg.ts";
import { PosixMessageQueue } from "../lib/posix_mq.ts";
import {
  futexWake,
  msgBuffer,
  parentGone,
  place,
  QUEUE,
  Ring,
  ringBytes,
  ringRead,
  STOP,
  waitChange,
} from "./shared.ts";

/** What the parent asks the peer to do. */
export type PeerSpec =
  | {
    mode: "bulk";
    channel: "pipe" | "fifo" | "socket" | "shm" | "mmap" | "msg" | "mq";
    ctl: number;
    fd?: number;
    /** fifo, mmap: the file; mq: the queue's name. */
    path?: string;
    shmid?: number;
    /** msg: the queue's SysV key. */
    key?: number;
    bytes: number;
    chunk: number;
    warm: number;
    warmChunk: number;
    cpu: number | null;
    parent: number;
  }
  | {
    mode: "pingpong";
    channel: "pipe" | "socket" | "shm" | "msg" | "mq";
    ctl: number;
    down?: number;
    up?: number;
    shmid?: number;
    /** msg: the queue's SysV key. */
    key?: number;
    /** mq: the base name of the two queues (`-d` down, `-u` up). */
    path?: string;
    cpu: number | null;
    parent: number;
  }
  | {
    mode: "builtin-pipe-bulk";
    bytes: number;
    chunk: number;
    warm: number;
    warmChunk: number;
    cpu: number | null;
  }
  | { mode: "builtin-pipe-pingpong"; cpu: number | null }
  | {
    mode: "builtin-socket-bulk";
    path: string;
    bytes: number;
    chunk: number;
    warm: number;
    warmChunk: number;
    cpu: number | null;
  }
  | { mode: "builtin-socket-pingpong"; path: string; cpu: number | null };

const BYTE = new Uint8Array(1);

function putByte(fd: number, c: string): void {
  BYTE[0] = c.charCodeAt(0);
  if (write(fd, BYTE) !== 1) throw new Error("short write on the control pipe");
}

/** Read from `fd` until `total` bytes arrived (a reader that really consumes). */
function readBytes(fd: number, buf: Uint8Array, total: number): void {
  let got = 0;
  while (got < total) {
    const n = read(fd, buf);
    if (n === 0) throw new Error("unexpected end of data");
    got += n;
  }
}

const TYPE_DOWN = BigInt(QUEUE.DOWN);
const FOUR = 4n;

/** msgrcv type-DOWN messages into `m` until `total` bytes arrived. */
function msgRead(id: number, m: Uint8Array<ArrayBuffer>, size: number, total: number): void {
  const max = BigInt(size);
  let got = 0;
  while (got < total) {
    const n = Number(libc.msgrcv(id, m, max, TYPE_DOWN, 0));
    if (n <= 0) failed("msgrcv", `msgrcv(${id}, ..., ${size}, ${QUEUE.DOWN}, 0)`);
    got += n;
  }
}

/** mq_receive into `buf` (at least mq_msgsize bytes) until `total` bytes arrived. */
function mqRead(mqd: number, buf: Uint8Array<ArrayBuffer>, total: number): void {
  const max = BigInt(buf.length);
  let got = 0;
  while (got < total) {
    const n = Number(libc.mq_receive(mqd, buf, max, null));
    if (n <= 0) failed("mq_receive", `mq_receive(${mqd}, ..., ${buf.length}, NULL)`);
    got += n;
  }
}

function queueBulk(spec: Extract<PeerSpec, { mode: "bulk" }>): void {
  if (spec.channel === "msg") {
    const q = MessageQueue.open(spec.key!); // msgget(key, 0)
    const m = msgBuffer(spec.chunk, 0);
    putByte(spec.ctl, "R");
    msgRead(q.id, m, spec.chunk, spec.warm);
    putByte(spec.ctl, "W");
    msgRead(q.id, m, spec.chunk, spec.bytes);
    putByte(spec.ctl, "D");
    return;
  }
  using q = PosixMessageQueue.open(spec.path!, { flags: O.RDONLY }); // mq_open(name, O_RDONLY)
  const buf = new Uint8Array(spec.chunk);
  putByte(spec.ctl, "R");
  mqRead(q.mqd, buf, spec.warm);
  putByte(spec.ctl, "W");
  mqRead(q.mqd, buf, spec.bytes);
  putByte(spec.ctl, "D");
  q.close();
}

/** Echo through the queues until an empty message says stop. */
function queueEcho(spec: Extract<PeerSpec, { mode: "pingpong" }>): void {
  if (spec.channel === "msg") {
    const q = MessageQueue.open(spec.key!);
    const id = q.id;
    const back = msgBuffer(4, 0), out = msgBuffer(4, QUEUE.UP);
    const backValue = new Uint32Array(back.buffer, 8, 1);
    const outValue = new Uint32Array(out.buffer, 8, 1);
    putByte(spec.ctl, "R");
    for (;;) {
      const n = Number(libc.msgrcv(id, back, FOUR, TYPE_DOWN, 0));
      if (n === 0) return;
      if (n !== 4) failed("msgrcv", `msgrcv(${id}, ..., 4, ${QUEUE.DOWN}, 0)`);
      outValue[0] = backValue[0] + 1;
      if (libc.msgsnd(id, out, FOUR, 0) === -1) failed("msgsnd", `msgsnd(${id}, ..., 4, 0)`);
    }
  }
  using down = PosixMessageQueue.open(`${spec.path}-d`, { flags: O.RDONLY });
  using up = PosixMessageQueue.open(`${spec.path}-u`, { flags: O.WRONLY });
  const d = down.mqd, u = up.mqd;
  const bytes = new Uint8Array(4);
  const value = new Uint32Array(bytes.buffer);
  putByte(spec.ctl, "R");
  for (;;) {
    const n = Number(libc.mq_receive(d, bytes, FOUR, null));
    if (n === 0) break;
    if (n !== 4) failed("mq_receive", `mq_receive(${d}, ..., 4, NULL)`);
    value[0] = value[0] + 1;
    if (libc.mq_send(u, bytes, FOUR, 0) === -1) failed("mq_send", `mq_send(${u}, ..., 4, 0)`);
  }
  down.close();
  up.close();
}

function ffiBulk(spec: Extract<PeerSpec, { mode: "bulk" }>): void {
  if (spec.channel === "msg" || spec.channel === "mq") return queueBulk(spec);
  const buf = new Uint8Array(spec.chunk);
  const w = spec.warm / spec.warmChunk, n = spec.bytes / spec.chunk;
  if (spec.channel === "shm" || spec.channel === "mmap") {
    const size = ringBytes(spec.chunk);
    using seg = spec.channel === "shm" ? shmAttach(spec.shmid!) : undefined;
    using file = spec.channel === "mmap" ? openFile(spec.path!, O.RDWR | O.CLOEXEC) : undefined;
    using map = file ? mmap(size, PROT.READ | PROT.WRITE, MAP.SHARED, file.fd, 0) : undefined;
    const mem = (seg ?? map)!;
    const base = Deno.UnsafePointer.create(mem.address)!;
    const ring = new Ring(base, mem.bytes, spec.chunk);
    const warmRing = new Ring(base, mem.bytes, spec.warmChunk);
    const gone = parentGone(spec.parent);
    putByte(spec.ctl, "R");
    ringRead(warmRing, buf.subarray(0, spec.warmChunk), 0, w, gone);
    putByte(spec.ctl, "W");
    ringRead(ring, buf, w, w + n, gone);
    putByte(spec.ctl, "D");
    return;
  }
  using fifo = spec.channel === "fifo" ? openFile(spec.path!, O.RDONLY | O.CLOEXEC) : undefined;
  const fd = fifo ? fifo.fd : spec.fd!;
  putByte(spec.ctl, "R");
  readBytes(fd, buf.subarray(0, spec.warmChunk), spec.warm);
  putByte(spec.ctl, "W");
  readBytes(fd, buf, spec.bytes);
  putByte(spec.ctl, "D");
}

/** Echo over fds until end of file (the parent closed its end). */
function echoFd(down: number, up: number): void {
  const bytes = new Uint8Array(4);
  const value = new Uint32Array(bytes.buffer);
  for (;;) {
    const n = read(down, bytes);
    if (n === 0) return;
    if (n !== 4) throw new Error("short read");
    value[0] = value[0] + 1;
    write(up, bytes);
  }
}

/** Echo through shared memory until the turn counter says STOP. */
function echoShm(ring: Ring, gone: () => boolean): void {
  const { msg, state, statePtr } = ring;
  let last = 0;
  for (;;) {
    const v = waitChange(ring, last, gone);
    if (v === STOP) return;
    msg[0] = msg[0] + 1;
    last = v + 1;
    Atomics.store(state, 0, last);
    futexWake(statePtr);
  }
}

function ffiPingPong(spec: Extract<PeerSpec, { mode: "pingpong" }>): void {
  if (spec.channel === "msg" || spec.channel === "mq") return queueEcho(spec);
  if (spec.channel === "shm") {
    using seg = shmAttach(spec.shmid!);
    const ring = new Ring(Deno.UnsafePointer.create(seg.address)!, seg.bytes, 0);
    putByte(spec.ctl, "R");
    echoShm(ring, parentGone(spec.parent));
    return;
  }
  putByte(spec.ctl, "R");
  echoFd(spec.down!, spec.up!);
}

// ---- Deno's built-ins: what a user would pick instead --------------------

async function writeAllAsync(w: { write(p: Uint8Array): Promise<number> }, data: Uint8Array) {
  let done = 0;
  while (done < data.length) done += await w.write(done === 0 ? data : data.subarray(done));
}

async function readExactlyAsync(
  r: { read(p: Uint8Array): Promise<number | null> },
  buf: Uint8Array,
  total: number,
): Promise<void> {
  const keep = total <= buf.length; // a small message: assemble it in buf
  let got = 0;
  while (got < total) {
    const n = await r.read(
      keep
        ? buf.subarray(got, total)
        : total - got < buf.length
        ? buf.subarray(0, total - got)
        : buf,
    );
    if (n === null) throw new Error("unexpected end of data");
    got += n;
  }
}

async function builtinPipeBulk(spec: Extract<PeerSpec, { mode: "builtin-pipe-bulk" }>) {
  const chunk = new Uint8Array(spec.chunk).fill(0x78);
  const one = new Uint8Array(1);
  await writeAllAsync(Deno.stdout, new Uint8Array([0x52])); // 'R'
  const piece = chunk.subarray(0, spec.warmChunk);
  for (let done = 0; done < spec.warm; done += spec.warmChunk) {
    await writeAllAsync(Deno.stdout, piece);
  }
  await readExactlyAsync(Deno.stdin, one, 1); // 'T': the clock runs
  for (let done = 0; done < spec.bytes; done += spec.chunk) await writeAllAsync(Deno.stdout, chunk);
}

/** Echo 4-byte messages until end of file. */
async function echoAsync(
  r: { read(p: Uint8Array): Promise<number | null> },
  w: { write(p: Uint8Array): Promise<number> },
): Promise<void> {
  const bytes = new Uint8Array(4);
  const value = new Uint32Array(bytes.buffer);
  for (;;) {
    const first = await r.read(bytes);
    if (first === null) return;
    if (first < 4) await readExactlyAsync(r, bytes.subarray(first), 4 - first);
    value[0] = value[0] + 1;
    await writeAllAsync(w, bytes);
  }
}

async function builtinPipePingPong() {
  await writeAllAsync(Deno.stdout, new Uint8Array([0x52]));
  await echoAsync(Deno.stdin, Deno.stdout);
}

async function builtinSocket(
  spec: Extract<PeerSpec, { mode: "builtin-socket-bulk" | "builtin-socket-pingpong" }>,
) {
  using conn = await Deno.connect({ transport: "unix", path: spec.path });
  await writeAllAsync(conn, new Uint8Array([0x52])); // 'R'
  if (spec.mode === "builtin-socket-bulk") {
    const buf = new Uint8Array(spec.chunk);
    await readExactlyAsync(conn, buf.subarray(0, spec.warmChunk), spec.warm);
    await writeAllAsync(conn, new Uint8Array([0x57])); // 'W'
    await readExactlyAsync(conn, buf, spec.bytes);
    await writeAllAsync(conn, new Uint8Array([0x44])); // 'D'
    return;
  }
  await echoAsync(conn, conn);
}

async function main(): Promise<void> {
  const spec = JSON.parse(Deno.args[0]) as PeerSpec;
  place(spec.cpu);
  if ((spec.mode === "bulk" || spec.mode === "pingpong") && /^(msg|mq)$/.test(spec.channel)) {
    // Ctrl+C reaches the whole process group. The parent is blocked in a
    // queue call that only this peer can complete (a dead peer would leave
    // it blocked: nothing like a pipe's EPIPE or the ring's futex timeout
    // tells it). So the peer finishes the round; the parent then cleans up.
    Deno.addSignalListener("SIGINT", () => {});
  }
  switch (spec.mode) {
    case "bulk":
      return ffiBulk(spec);
    case "pingpong":
      return ffiPingPong(spec);
    case "builtin-pipe-bulk":
      return await builtinPipeBulk(spec);
    case "builtin-pipe-pingpong":
      return await builtinPipePingPong();
    default:
      return await builtinSocket(spec);
  }
}

if (import.meta.main) {
  try {
    await main();
  } catch (e) {
    console.error(`bench peer: ${e instanceof Error ? e.message : e}`);
    Deno.exit(1);
  }
}
