/**
 * Named pipes (FIFOs): `mkfifo`, `unlink`, and opens that never block the
 * isolate.
 *
 * Why not a plain blocking `open`: opening a FIFO for reading blocks until
 * a writer opens it, and the other way round. A synchronous FFI call that
 * blocks freezes the whole isolate: no timers, no signal listeners, so
 * Ctrl+C could not run the cleanup that removes the FIFO. So:
 *
 * - the reader opens `O_RDONLY|O_NONBLOCK`, which succeeds at once, then
 *   waits with `poll` in short slices ({@link waitFor}). Measured on Linux
 *   (kernel 6.18; see tests/fifo_test.ts "poll on a FIFO"): while no writer
 *   has ever connected, `poll` reports *nothing* (it waits), but `read`
 *   returns 0, a false end of file. A writer that connects without writing
 *   is not reported either. The first event is data (POLLIN) or the
 *   writer's hang-up (POLLHUP). So a reader must never `read` before `poll`
 *   said so ({@link waitForWriter}).
 * - the writer opens `O_WRONLY|O_NONBLOCK`, which fails with ENXIO while
 *   no reader has the FIFO open; {@link openFifoForWriting} retries after a
 *   short *async* pause, so signals keep working while it waits.
 *
 * Writes stay non-blocking ({@link writeAllAsync}): a blocking `write`
 * into a full FIFO (a slow reader, or one stopped with Ctrl+Z) would freeze
 * the isolate the same way. A non-blocking write of at most PIPE_BUF bytes
 * is still all-or-nothing (EAGAIN, nothing written), so the atomicity rule
 * holds; on EAGAIN we wait for POLLOUT and write the rest.
 *
 * @module
 */
import { libc } from "./ffi/libc_ffi.ts";
import { Errno, LibcError } from "./errno.ts";
import { failed, type Fd, openFile, waitFor, write } from "./fd.ts";
import { cString } from "./cstring.ts";
import { O, POLL } from "./constants.ts";
import { quoted, traceLine, TRACING } from "./trace.ts";

const AT_FDCWD = -100;
const AT_EMPTY_PATH = 0x1000;
const STATX_TYPE = 0x1;
const STATX_MODE = 0x2;
/** sizeof(struct statx) is 256 on every architecture. */
const STATX_SIZE = 256;
/** Offset of `__u16 stx_mode` in struct statx. */
const STX_MODE_OFFSET = 0x1c;
const S_IFMT = 0o170000;
const _PC_PIPE_BUF = 5;

/**
 * What kind of file system object a path names (from `S_IFMT`).
 *
 * @example
 * ```ts
 * import { type FileType, fileType } from "./fifo.ts";
 * const t: FileType | null = fileType("/tmp"); // "directory"
 * ```
 */
export type FileType =
  | "fifo"
  | "regular file"
  | "directory"
  | "symbolic link"
  | "socket"
  | "character device"
  | "block device"
  | "unknown";

function typeFromMode(mode: number): FileType {
  switch (mode & S_IFMT) {
    case 0o010000:
      return "fifo";
    case 0o100000:
      return "regular file";
    case 0o040000:
      return "directory";
    case 0o120000:
      return "symbolic link";
    case 0o140000:
      return "socket";
    case 0o020000:
      return "character device";
    case 0o060000:
      return "block device";
    default:
      return "unknown";
  }
}

function statxMode(dirfd: number, path: string, flags: number, shown: string): number {
  const buf = new Uint8Array(STATX_SIZE);
  if (libc.statx(dirfd, cString(path), flags, STATX_TYPE | STATX_MODE, buf) === -1) {
    failed("statx", shown, path === "" ? undefined : path);
  }
  const mode = new DataView(buf.buffer).getUint16(STX_MODE_OFFSET, true);
  if (TRACING) traceLine(shown, `0 (mode 0${mode.toString(8)})`);
  return mode;
}

/**
 * The type of the object at `path` (following symbolic links, as `open`
 * does), or `null` when nothing is there. Other failures (EACCES on a
 * directory on the way...) throw a {@link LibcError}.
 *
 * @example
 * ```ts
 * import { fileType } from "./fifo.ts";
 * fileType("/etc/hostname"); // "regular file"
 * fileType("/nope");         // null
 * ```
 */
export function fileType(path: string): FileType | null {
  try {
    return typeFromMode(statxMode(AT_FDCWD, path, 0, `statx(AT_FDCWD, ${quoted(path)})`));
  } catch (e) {
    if (e instanceof LibcError && e.errno === Errno.ENOENT) return null;
    throw e;
  }
}

/**
 * The type of the object an open descriptor refers to (`fstat`, through
 * `statx(fd, "", AT_EMPTY_PATH)`, whose struct layout is the same on every
 * architecture).
 *
 * @example
 * ```ts
 * import { fdType } from "./fifo.ts";
 * import { pipe } from "./fd.ts";
 * using p = pipe();
 * fdType(p.read.fd); // "fifo": a pipe is an unnamed FIFO
 * ```
 */
export function fdType(fd: number): FileType {
  return typeFromMode(statxMode(fd, "", AT_EMPTY_PATH, `statx(${fd}, "", AT_EMPTY_PATH)`));
}

/**
 * The path exists but is something other than a FIFO: opening it as one
 * would silently read a regular file or fail in a confusing way.
 *
 * @example
 * ```ts
 * import { ensureFifo, NotAFifoError } from "./fifo.ts";
 * try {
 *   ensureFifo("/etc/hostname");
 * } catch (e) {
 *   if (e instanceof NotAFifoError) console.log(e.message);
 *   // /etc/hostname exists and is a regular file, not a FIFO (mkfifo: EEXIST)
 * }
 * ```
 */
export class NotAFifoError extends Error {
  /** The path that was asked for. */
  readonly path: string;
  /** What is really there. */
  readonly type: FileType;
  /** How it was found out, e.g. `mkfifo: EEXIST`. */
  readonly detail: string;

  /**
   * Describe `path`, which turned out to be a `type`, not a FIFO.
   *
   * @param path the path that is not a FIFO
   * @param type what it is instead
   * @param detail how it was found out (shown in brackets)
   */
  constructor(path: string, type: FileType, detail = "mkfifo: EEXIST") {
    super(`${path} exists and is a ${type}, not a FIFO (${detail})`);
    this.name = "NotAFifoError";
    this.path = path;
    this.type = type;
    this.detail = detail;
  }
}

/**
 * `mkfifo(3)`: make a FIFO at `path` with `mode` (less the umask). Throws
 * `mkfifo <path>: EEXIST (File exists)` when something is already there;
 * {@link ensureFifo} is the forgiving version.
 *
 * @example
 * ```ts
 * import { mkfifo, unlink } from "./fifo.ts";
 * mkfifo("/tmp/myfifo", 0o644);
 * unlink("/tmp/myfifo");
 * ```
 */
export function mkfifo(path: string, mode = 0o644): void {
  const shown = `mkfifo(${quoted(path)}, 0${mode.toString(8)})`;
  if (libc.mkfifo(cString(path), mode) === -1) failed("mkfifo", shown, path);
  if (TRACING) traceLine(shown, "0");
}

/**
 * `unlink(2)`: remove the name `path` (processes that have it open keep
 * using the FIFO; it is freed when the last one closes it).
 *
 * @example
 * ```ts
 * import { unlink } from "./fifo.ts";
 * unlink("/tmp/myfifo");
 * ```
 */
export function unlink(path: string): void {
  const shown = `unlink(${quoted(path)})`;
  if (libc.unlink(cString(path)) === -1) failed("unlink", shown, path);
  if (TRACING) traceLine(shown, "0");
}

/**
 * {@link unlink}, but a path that is already gone (ENOENT) is fine: for
 * cleanups that may run after the normal removal. Returns whether it
 * removed something.
 *
 * @example
 * ```ts
 * import { unlinkIfExists } from "./fifo.ts";
 * unlinkIfExists("/tmp/myfifo"); // false if it was not there
 * ```
 */
export function unlinkIfExists(path: string): boolean {
  try {
    unlink(path);
    return true;
  } catch (e) {
    if (e instanceof LibcError && e.errno === Errno.ENOENT) return false;
    throw e;
  }
}

/**
 * Make sure a FIFO exists at `path`: create it with `mode` when missing
 * (`created: true`, so the caller knows it must remove it), accept an
 * existing FIFO (EEXIST is fine, `created: false`), and refuse anything
 * else with a {@link NotAFifoError}. Other failures (ENOENT for a missing
 * directory, EACCES) throw `mkfifo <path>: ENOENT (...)`.
 *
 * @example
 * ```ts
 * import { ensureFifo, unlink } from "./fifo.ts";
 * const { created } = ensureFifo("/tmp/testfifo", 0o644);
 * if (created) unlink("/tmp/testfifo"); // remove only what we made
 * ```
 */
export function ensureFifo(path: string, mode = 0o644): { created: boolean } {
  try {
    mkfifo(path, mode);
    return { created: true };
  } catch (e) {
    if (!(e instanceof LibcError) || e.errno !== Errno.EEXIST) throw e;
  }
  const type = fileType(path);
  // Removed between our mkfifo and statx: try once more.
  if (type === null) return ensureFifo(path, mode);
  if (type !== "fifo") throw new NotAFifoError(path, type);
  return { created: false };
}

/**
 * Open a FIFO for reading without blocking: `O_RDONLY|O_NONBLOCK|O_CLOEXEC`
 * succeeds at once whether or not a writer is there. Do not `read` it
 * before {@link waitForWriter} returned: with no writer yet, `read` says 0
 * (end of file). Refuses a path that is not a FIFO.
 *
 * @example
 * ```ts
 * import { openFifoForReading, waitForWriter } from "./fifo.ts";
 * using fifo = openFifoForReading("/tmp/testfifo");
 * await waitForWriter(fifo.fd); // Ctrl+C still works here
 * ```
 */
export function openFifoForReading(path: string): Fd {
  const fd = openFile(path, O.RDONLY | O.NONBLOCK | O.CLOEXEC);
  return checkedFifo(fd, path);
}

function checkedFifo(fd: Fd, path: string): Fd {
  const type = fdType(fd.fd);
  if (type !== "fifo") {
    fd.close();
    throw new NotAFifoError(path, type, "open succeeded, fstat says so");
  }
  return fd;
}

/**
 * Wait (signal-friendly) until a writer has written to the FIFO or hung
 * up: POLLIN and/or POLLHUP, the first thing `poll` reports on a FIFO
 * opened by {@link openFifoForReading}. Returns the events.
 *
 * @example
 * ```ts
 * import { openFifoForReading, waitForWriter } from "./fifo.ts";
 * import { POLL } from "./constants.ts";
 * using fifo = openFifoForReading("/tmp/testfifo");
 * const events = await waitForWriter(fifo.fd);
 * if (events & POLL.IN) console.log("data is waiting");
 * ```
 */
export function waitForWriter(fd: number): Promise<number> {
  return waitFor(fd, POLL.IN);
}

/**
 * Options of {@link openFifoForWriting}.
 *
 * @example
 * ```ts
 * import type { OpenForWritingOptions } from "./fifo.ts";
 * const options: OpenForWritingOptions = { retryMs: 20, onWaiting: () => console.error("waiting") };
 * ```
 */
export interface OpenForWritingOptions {
  /** Called once, the first time the open finds no reader (ENXIO). */
  onWaiting?: () => void;
  /** Pause between attempts, ms (default 50). */
  retryMs?: number;
}

/**
 * Open a FIFO for writing without blocking the isolate: `O_WRONLY|
 * O_NONBLOCK|O_CLOEXEC` fails with ENXIO while no process has the FIFO
 * open for reading; this retries after a short async pause (so signal
 * listeners run in between) until a reader is there. The descriptor stays
 * non-blocking: write with {@link writeAllAsync}. Refuses a path that is
 * not a FIFO.
 *
 * @example
 * ```ts
 * import { openFifoForWriting, writeAllAsync } from "./fifo.ts";
 * using fifo = await openFifoForWriting("/tmp/testfifo", {
 *   onWaiting: () => console.error("waiting for a reader..."),
 * });
 * await writeAllAsync(fifo.fd, new TextEncoder().encode("hello\n"));
 * ```
 */
export async function openFifoForWriting(
  path: string,
  options: OpenForWritingOptions = {},
): Promise<Fd> {
  let told = false;
  for (;;) {
    try {
      return checkedFifo(openFile(path, O.WRONLY | O.NONBLOCK | O.CLOEXEC), path);
    } catch (e) {
      if (!(e instanceof LibcError) || e.errno !== Errno.ENXIO) throw e;
    }
    if (!told) {
      told = true;
      options.onWaiting?.();
    }
    await new Promise((resolve) => setTimeout(resolve, options.retryMs ?? 50));
  }
}

/**
 * Write all of `bytes` to a non-blocking descriptor: on EAGAIN (pipe full)
 * wait for POLLOUT, signal-friendly, and go on. A write of at most
 * PIPE_BUF bytes is never split by the kernel (all or EAGAIN); a larger
 * one may be written in parts, so other writers' data can come between
 * them. Throws `write: EPIPE (Broken pipe)` when no reader is left (Deno
 * ignores SIGPIPE, so the error comes back instead of the signal).
 *
 * @example
 * ```ts
 * import { openFifoForWriting, writeAllAsync } from "./fifo.ts";
 * using fifo = await openFifoForWriting("/tmp/testfifo");
 * await writeAllAsync(fifo.fd, new TextEncoder().encode("quit\n"));
 * ```
 */
export async function writeAllAsync(fd: number, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    try {
      done += write(fd, bytes.subarray(done));
    } catch (e) {
      if (!(e instanceof LibcError)) throw e;
      if (e.errno === Errno.EINTR) continue;
      if (e.errno !== Errno.EAGAIN) throw e;
      await waitFor(fd, POLL.OUT);
    }
  }
}

/**
 * `fpathconf(fd, _PC_PIPE_BUF)`: the largest write the kernel promises
 * not to interleave with other writers' data on this pipe or FIFO, as the
 * system reports it (4096 on Linux).
 *
 * @example
 * ```ts
 * import { pipeBufOf } from "./fifo.ts";
 * import { pipe } from "./fd.ts";
 * using p = pipe();
 * pipeBufOf(p.write.fd); // 4096
 * ```
 */
export function pipeBufOf(fd: number): number {
  const r = Number(libc.fpathconf(fd, _PC_PIPE_BUF));
  if (r === -1) failed("fpathconf", `fpathconf(${fd}, _PC_PIPE_BUF)`);
  if (TRACING) traceLine(`fpathconf(${fd}, _PC_PIPE_BUF)`, String(r));
  return r;
}

/**
 * One line taken out of a byte stream by {@link LineSplitter}.
 *
 * @example
 * ```ts
 * import { LineSplitter, type SplitLine } from "./fifo.ts";
 * const s = new LineSplitter();
 * s.push(new TextEncoder().encode("hi\n"));
 * const line: SplitLine | undefined = s.next(); // { text: "hi", oversized: false, bytes: 2 }
 * ```
 */
export interface SplitLine {
  /** The line's text without its `"\n"` (empty for an oversized line). */
  text: string;
  /** True when the line was longer than the limit and was discarded. */
  oversized: boolean;
  /** The line's length in bytes (without the newline). */
  bytes: number;
}

const decoder = new TextDecoder();

/**
 * Framing for a byte stream: `read` on a pipe returns whatever is there, so
 * one read may hold two messages ("helloworld" in the C original) or half
 * of one. Push each chunk read; take complete lines out. A line ends at a
 * newline, or at any of the `terminators` given (readfifo also ends a
 * message at a NUL byte: C strings). A line longer than `maxLineBytes` is
 * not buffered: it is skipped up to its end and reported once as
 * `oversized` (so a peer that never sends a newline cannot make us buffer
 * without bound).
 *
 * @example
 * ```ts
 * import { LineSplitter } from "./fifo.ts";
 * const s = new LineSplitter();
 * s.push(new TextEncoder().encode("hel"));
 * s.push(new TextEncoder().encode("lo\nworld\n"));
 * s.next()?.text; // "hello"
 * s.next()?.text; // "world"
 * s.next();       // undefined: nothing complete left
 * const c = new LineSplitter(Infinity, [0, 10]); // C strings or lines
 * c.push(new TextEncoder().encode("hello\0world\n"));
 * c.next()?.text; // "hello"
 * ```
 */
export class LineSplitter {
  /** The longest line kept, in bytes (without the newline). */
  readonly maxLineBytes: number;
  /** The bytes that end a line (default: only the newline, 10). */
  readonly terminators: readonly number[];
  #buf = new Uint8Array(0);
  #start = 0;
  #skipping = 0; // > 0: inside an oversized line, bytes skipped so far

  /**
   * Split lines at any of `terminators` (bytes; default `[10]`, the
   * newline), keeping at most `maxLineBytes` of an unfinished one.
   */
  constructor(maxLineBytes = Infinity, terminators: readonly number[] = [10]) {
    this.maxLineBytes = maxLineBytes;
    this.terminators = terminators;
  }

  /** Index of the first terminator at or after `from`, or -1. */
  #findEnd(from: number): number {
    if (this.terminators.length === 1) return this.#buf.indexOf(this.terminators[0], from);
    for (let i = from; i < this.#buf.length; i++) {
      if (this.terminators.includes(this.#buf[i])) return i;
    }
    return -1;
  }

  /** Bytes held of a line whose newline has not arrived yet. */
  get pendingBytes(): number {
    return this.#buf.length - this.#start;
  }

  /** Add the bytes of one read. */
  push(chunk: Uint8Array): void {
    const rest = this.#buf.subarray(this.#start);
    const joined = new Uint8Array(rest.length + chunk.length);
    joined.set(rest);
    joined.set(chunk, rest.length);
    this.#buf = joined;
    this.#start = 0;
  }

  /** The next complete line, or `undefined` when none is complete yet. */
  next(): SplitLine | undefined {
    for (;;) {
      const newline = this.#findEnd(this.#start);
      if (this.#skipping > 0) {
        if (newline === -1) {
          this.#skipping += this.#buf.length - this.#start;
          this.#buf = new Uint8Array(0);
          this.#start = 0;
          return undefined;
        }
        const bytes = this.#skipping + newline - this.#start;
        this.#skipping = 0;
        this.#start = newline + 1;
        return { text: "", oversized: true, bytes };
      }
      if (newline === -1) {
        if (this.pendingBytes > this.maxLineBytes) {
          // Start skipping; keep counting until the newline comes.
          this.#skipping = this.pendingBytes;
          this.#buf = new Uint8Array(0);
          this.#start = 0;
        }
        return undefined;
      }
      const bytes = newline - this.#start;
      const line = this.#buf.subarray(this.#start, newline);
      this.#start = newline + 1;
      if (bytes > this.maxLineBytes) return { text: "", oversized: true, bytes };
      return { text: decoder.decode(line), oversized: false, bytes };
    }
  }

  /**
   * At end of file: what is left after the last newline, as a line (an
   * unterminated last line), or `undefined` when nothing is left.
   */
  end(): SplitLine | undefined {
    if (this.#skipping > 0) {
      const bytes = this.#skipping + this.pendingBytes;
      this.#skipping = 0;
      this.#buf = new Uint8Array(0);
      this.#start = 0;
      return { text: "", oversized: true, bytes };
    }
    if (this.pendingBytes === 0) return undefined;
    const line = this.#buf.subarray(this.#start);
    this.#buf = new Uint8Array(0);
    this.#start = 0;
    if (line.length > this.maxLineBytes) {
      return { text: "", oversized: true, bytes: line.length };
    }
    return { text: decoder.decode(line), oversized: false, bytes: line.length };
  }
}
