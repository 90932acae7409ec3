/**
 * "What a user would pick instead": the same work with Deno's own APIs and
 * no FFI at all. `Deno.Command` with piped stdio read through a BYOB
 * reader, and a `Deno.listen`/`Deno.connect` unix socket. The peer is the
 * same bench/peer.ts in a builtin mode (it only pins itself through FFI).
 *
 * @module
 */
import type { PeerSpec } from "./peer.ts";
import { peerArgv } from "./ffi_runs.ts";
import type { BulkParams, PingParams } from "./ffi_runs.ts";

function command(spec: PeerSpec, dir: string, stdio: "piped" | "null"): Deno.ChildProcess {
  const [exe, ...args] = peerArgv(spec, dir);
  // Deno asks for net permission on unix sockets too.
  if (spec.mode.startsWith("builtin-socket")) args.splice(1, 0, "--allow-net");
  return new Deno.Command(exe, { args, stdin: stdio, stdout: stdio, stderr: "inherit" }).spawn();
}

async function ended(child: Deno.ChildProcess): Promise<void> {
  const status = await child.status;
  if (!status.success) throw new Error(`bench peer failed (code ${status.code})`);
}

/** Read exactly `total` bytes with a BYOB reader, reusing one buffer. */
class ByobReader {
  #reader: ReadableStreamBYOBReader;
  #buffer: ArrayBuffer;

  constructor(stream: ReadableStream<Uint8Array>, size: number) {
    this.#reader = stream.getReader({ mode: "byob" });
    this.#buffer = new ArrayBuffer(size);
  }

  /** After a read of at most the buffer's size: the bytes (valid until the next read). */
  last = new Uint8Array(0);

  /** Read `total` bytes: kept in `last` if they fit the buffer, else only counted. */
  async readExactly(total: number): Promise<void> {
    const size = this.#buffer.byteLength;
    const keep = total <= size; // a small message may come in pieces: assemble it
    let got = 0;
    while (got < total) {
      const at = keep ? got : 0;
      const want = Math.min(size - at, total - got);
      const { value, done } = await this.#reader.read(new Uint8Array(this.#buffer, at, want));
      if (done || !value) throw new Error("unexpected end of the peer's stdout");
      this.#buffer = value.buffer as ArrayBuffer; // the BYOB reader hands the buffer back
      got += value.length;
    }
    if (keep) this.last = new Uint8Array(this.#buffer, 0, total);
  }

  release(): void {
    this.#reader.releaseLock();
  }
}

/** Bulk: the peer writes to its stdout, we read it through a BYOB reader. */
export async function bulkBuiltinPipe(p: BulkParams): Promise<number> {
  const child = command(
    {
      mode: "builtin-pipe-bulk",
      bytes: p.bytes,
      chunk: p.chunk,
      warm: p.warm,
      warmChunk: p.warmChunk,
      cpu: p.cpu,
    },
    p.dir,
    "piped",
  );
  const reader = new ByobReader(child.stdout, p.chunk);
  const writer = child.stdin.getWriter();
  try {
    await reader.readExactly(1 + p.warm); // 'R' + the warm-up
    const t0 = performance.now();
    await writer.write(new Uint8Array([0x54])); // 'T'
    await reader.readExactly(p.bytes);
    const t1 = performance.now();
    await writer.close();
    reader.release();
    await ended(child);
    return (t1 - t0) * 1e6;
  } finally {
    await writer.close().catch(() => {});
    reader.release();
    await child.stdout.cancel().catch(() => {});
    try {
      child.kill("SIGKILL");
    } catch { /* already ended */ }
    await child.status;
  }
}

/** Async twin of ffi_runs.ts `drive`: same warm-up rule, then `iters` timed round trips. */
async function driveAsync(
  p: PingParams,
  loop: (from: number, count: number) => Promise<void>,
): Promise<number> {
  let k = 0;
  const end = performance.now() + p.warmMs;
  while (k < p.warmMax) {
    const count = Math.min(256, p.warmMax - k);
    await loop(k + 1, count);
    k += count;
    if (performance.now() > end) break;
  }
  const t0 = performance.now();
  await loop(k + 1, p.iters);
  return (performance.now() - t0) * 1e6;
}

/** Ping-pong: 4 bytes to the peer's stdin, 4 back on its stdout. */
export async function pingPongBuiltinPipe(p: PingParams): Promise<number> {
  const child = command({ mode: "builtin-pipe-pingpong", cpu: p.cpu }, p.dir, "piped");
  const reader = new ByobReader(child.stdout, 4);
  const writer = child.stdin.getWriter();
  try {
    await reader.readExactly(1); // 'R'
    const ns = await driveAsync(p, async (from, count) => {
      for (let k = from; k < from + count; k++) {
        const msg = new Uint8Array(4); // the stream may keep the chunk: a fresh one each time
        new DataView(msg.buffer).setUint32(0, k, true);
        await writer.write(msg);
        await reader.readExactly(4);
        if (new DataView(reader.last.buffer).getUint32(0, true) !== k + 1) {
          throw new Error("bad reply");
        }
      }
    });
    await writer.close();
    reader.release();
    await ended(child);
    return ns;
  } finally {
    await writer.close().catch(() => {});
    reader.release();
    await child.stdout.cancel().catch(() => {});
    try {
      child.kill("SIGKILL");
    } catch { /* already ended */ }
    await child.status;
  }
}

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  let done = 0;
  while (done < data.length) done += await conn.write(done === 0 ? data : data.subarray(done));
}

/** Read `total` bytes: assembled in `buf` if they fit, else only counted. */
async function readExactly(conn: Deno.Conn, buf: Uint8Array, total: number): Promise<void> {
  const keep = total <= buf.length;
  let got = 0;
  while (got < total) {
    const n = await conn.read(
      keep
        ? buf.subarray(got, total)
        : total - got < buf.length
        ? buf.subarray(0, total - got)
        : buf,
    );
    if (n === null) throw new Error("the peer closed the socket early");
    got += n;
  }
}

async function withUnixSocket(
  p: { dir: string },
  spec: (path: string) => PeerSpec,
  body: (conn: Deno.Conn) => Promise<number>,
): Promise<number> {
  const path = `${p.dir}/bench-deno.sock`;
  const listener = Deno.listen({ transport: "unix", path });
  let child: Deno.ChildProcess | undefined;
  try {
    child = command(spec(path), p.dir, "null");
    const exited = child.status.then(() => {
      throw new Error("the bench peer ended before connecting");
    });
    exited.catch(() => {});
    const conn = await Promise.race([listener.accept(), exited]);
    listener.close();
    try {
      const one = new Uint8Array(1);
      await readExactly(conn, one, 1); // 'R'
      const ns = await body(conn);
      await ended(child);
      return ns;
    } finally {
      conn.close();
    }
  } finally {
    try {
      listener.close();
    } catch { /* closed */ }
    await Deno.remove(path).catch(() => {});
    if (child) {
      try {
        child.kill("SIGKILL");
      } catch { /* already ended */ }
      await child.status;
    }
  }
}

/** Bulk over a `Deno.listen` unix socket: we write, the peer reads. */
export function bulkBuiltinSocket(p: BulkParams): Promise<number> {
  return withUnixSocket(
    p,
    (path) => ({
      mode: "builtin-socket-bulk",
      path,
      bytes: p.bytes,
      chunk: p.chunk,
      warm: p.warm,
      warmChunk: p.warmChunk,
      cpu: p.cpu,
    }),
    async (conn) => {
      const src = new Uint8Array(p.chunk).fill(0x78);
      const one = new Uint8Array(1);
      const piece = src.subarray(0, p.warmChunk);
      for (let done = 0; done < p.warm; done += p.warmChunk) await writeAll(conn, piece);
      await readExactly(conn, one, 1); // 'W'
      const t0 = performance.now();
      for (let done = 0; done < p.bytes; done += p.chunk) await writeAll(conn, src);
      await readExactly(conn, one, 1); // 'D'
      return (performance.now() - t0) * 1e6;
    },
  );
}

/** Ping-pong over a `Deno.listen` unix socket. */
export function pingPongBuiltinSocket(p: PingParams): Promise<number> {
  return withUnixSocket(
    p,
    (path) => ({ mode: "builtin-socket-pingpong", path, cpu: p.cpu }),
    async (conn) => {
      const bytes = new Uint8Array(4);
      const value = new Uint32Array(bytes.buffer);
      const ns = await driveAsync(p, async (from, count) => {
        for (let k = from; k < from + count; k++) {
          value[0] = k;
          await writeAll(conn, bytes);
          await readExactly(conn, bytes, 4);
          if (value[0] !== k + 1) throw new Error("bad reply");
        }
      });
      await conn.closeWrite(); // the peer reads end of file and ends
      return ns;
    },
  );
}
