/**
 * Named pipes (FIFOs): {@link mkfifo}, the error for a path that is not a
 * FIFO, and `fpathconf(_PC_PIPE_BUF)`. The examples open, check (`fstat`),
 * wait (`pollAsync`), read and write a FIFO themselves, with the calls of
 * lib/fd.ts and lib/files.ts, each by name; this is why they open as they
 * do.
 *
 * A plain blocking `open` of a FIFO waits until the other end is opened
 * too. A synchronous FFI call that blocks freezes the whole isolate: no
 * timers, no signal listeners, so Ctrl+C could not run the cleanup that
 * removes the FIFO. So:
 *
 * - the reader opens `O_RDONLY|O_NONBLOCK`, which succeeds at once, then
 *   waits with `poll` in short slices (`pollAsync` of lib/fd.ts). Measured
 *   on Linux (kernel 6.18; see tests/fifo_test.ts "poll on a FIFO"): while
 *   no writer has ever connected, `poll` reports *nothing* (it waits), but
 *   `read` returns 0, a false end of file. A writer that connects without
 *   writing is not reported either. The first event is data (POLLIN) or
 *   the writer's hang-up (POLLHUP). So a reader must never `read` before
 *   `poll` said so.
 * - the writer opens `O_WRONLY|O_NONBLOCK`, which fails with ENXIO while
 *   no process has the FIFO open for reading: it retries after a short
 *   *async* pause (`yieldToEventLoop(ms)`), so signals keep working while
 *   it waits.
 *
 * Writes stay non-blocking: a blocking `write` into a full FIFO (a slow
 * reader, or one stopped with Ctrl+Z) would freeze the isolate the same
 * way. A non-blocking write of at most PIPE_BUF bytes is still
 * all-or-nothing (EAGAIN, nothing written), so the atomicity rule holds; on
 * EAGAIN the writer polls for POLLOUT and writes again.
 *
 * @module
 */
import { libc } from "./ffi/libc_ffi.ts";
import { Errno, LibcError } from "./errno.ts";
import { failed } from "./fd.ts";
import { cString } from "./cstring.ts";
import type { FileType } from "./files.ts";
import { quoted, traceLine, TRACING } from "./trace.ts";

const _PC_PIPE_BUF = 5;

/**
 * The path exists but is something other than a FIFO: reading it as one
 * would silently read a regular file, or fail in a confusing way. The
 * examples throw it when `fstat` of the descriptor they opened says so.
 *
 * @example
 * ```ts
 * import { fstat, NotAFifoError, O, openFile } from "./libc.ts";
 * using fd = openFile("/etc/hostname", O.RDONLY | O.NONBLOCK);
 * const type = fstat(fd.fd).type;
 * if (type !== "fifo") console.log(new NotAFifoError("/etc/hostname", type).message);
 * // /etc/hostname exists and is a regular file, not a FIFO (mkfifo: EEXIST)
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
 * Options of {@link mkfifo}.
 *
 * @example
 * ```ts
 * import type { MkfifoOptions } from "./fifo.ts";
 * const options: MkfifoOptions = { existOk: true };
 * ```
 */
export interface MkfifoOptions {
  /**
   * EEXIST is an answer, not an error: `mkfifo` returns false. Something
   * has the name already, a FIFO or not: check the descriptor you open
   * (`fstat(fd).type`).
   */
  existOk?: boolean;
}

/**
 * `mkfifo(3)`: make a FIFO at `path` with `mode` (less the umask); true
 * when it made one. Throws `mkfifo <path>: EEXIST (File exists)` when
 * something is already there, unless `existOk` (then false: the caller
 * did not make it, so it must not remove it). Other failures (ENOENT for a
 * missing directory, EACCES) always throw.
 *
 * @example
 * ```ts
 * import { mkfifo } from "./fifo.ts";
 * import { unlink } from "./files.ts";
 * mkfifo("/tmp/myfifo", 0o644); // true
 * mkfifo("/tmp/myfifo", 0o644, { existOk: true }); // false: it is there
 * unlink("/tmp/myfifo");
 * ```
 */
export function mkfifo(path: string, mode = 0o644, options: MkfifoOptions = {}): boolean {
  const shown = `mkfifo(${quoted(path)}, 0${mode.toString(8)})`;
  if (libc.mkfifo(cString(path), mode) === -1) {
    try {
      failed("mkfifo", shown, path);
    } catch (e) {
      if (options.existOk && e instanceof LibcError && e.errno === Errno.EEXIST) return false;
      throw e;
    }
  }
  if (TRACING) traceLine(shown, "0");
  return true;
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
