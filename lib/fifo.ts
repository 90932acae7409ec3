/**
 * Named pipes (FIFOs): `mkfifo`, and opens that never block the
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
import { type FileType, fileType, fstat } from "./files.ts";
import { O, POLL } from "./constants.ts";
import { quoted, traceLine, TRACING } from "./trace.ts";

const _PC_PIPE_BUF = 5;

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
 * import { mkfifo } from "./fifo.ts";
 * import { unlink } from "./files.ts";
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
 * Make sure a FIFO exists at `path`: create it with `mode` when missing
 * (`created: true`, so the caller knows it must remove it), accept an
 * existing FIFO (EEXIST is fine, `created: false`), and refuse anything
 * else with a {@link NotAFifoError}. Other failures (ENOENT for a missing
 * directory, EACCES) throw `mkfifo <path>: ENOENT (...)`.
 *
 * @example
 * ```ts
 * import { ensureFifo } from "./fifo.ts";
 * import { unlink } from "./files.ts";
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
  const type = fstat(fd.fd).type;
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
