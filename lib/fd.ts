/**
 * File descriptors: pipes, open/close, read/write, dup2, fcntl, poll.
 *
 * Every function checks the C failure value, reads errno at once and throws
 * a {@link LibcError}; with `IPC_TRACE=1` each call prints a trace line.
 *
 * @module
 */
import { libc } from "./ffi/libc_ffi.ts";
import { currentErrno, Errno, LibcError } from "./errno.ts";
import { asDisposer, quoted, traceLine, TRACING } from "./trace.ts";
import { cString } from "./cstring.ts";
import { F, O, POLL } from "./constants.ts";
import { ABI } from "./abi.ts";

const POLLFD = ABI.struct.pollfd;

function openFlagNames(flags: number): string {
  const access = ["O_RDONLY", "O_WRONLY", "O_RDWR"][flags & 3] ?? "O_ACCMODE";
  const names = [access];
  if (flags & O.CREAT) names.push("O_CREAT");
  if (flags & O.EXCL) names.push("O_EXCL");
  if (flags & O.TRUNC) names.push("O_TRUNC");
  if (flags & O.APPEND) names.push("O_APPEND");
  if (flags & O.NONBLOCK) names.push("O_NONBLOCK");
  if (flags & O.CLOEXEC) names.push("O_CLOEXEC");
  return names.join("|");
}

/**
 * Throw the {@link LibcError} for the call that just failed, tracing it
 * first. Reads errno before doing anything else.
 *
 * @example
 * ```ts
 * import { libc } from "./ffi/libc_ffi.ts";
 * import { failed } from "./fd.ts";
 * if (libc.close(-1) === -1) failed("close", "close(-1)");
 * ```
 */
export function failed(call: string, shown: string, subject?: string): never {
  const errno = currentErrno();
  const error = new LibcError(call, errno, subject);
  if (TRACING) traceLine(shown, `-1 ${error.code} (${error.description})`);
  throw error;
}

/**
 * An owned file descriptor. `close()` (or leaving a `using` block) closes
 * it once; closing again is harmless.
 *
 * @example
 * ```ts
 * import { openFile, O } from "./libc.ts";
 * {
 *   using f = openFile("/etc/hostname", O.RDONLY);
 *   console.log(f.fd);
 * } // closed here
 * ```
 */
export class Fd implements Disposable {
  #fd: number;

  /** Take ownership of descriptor `fd`. */
  constructor(fd: number) {
    this.#fd = fd;
  }

  /** The descriptor number; -1 once closed. */
  get fd(): number {
    return this.#fd;
  }

  /** True once closed (or released). */
  get closed(): boolean {
    return this.#fd === -1;
  }

  /** Close the descriptor; a second call does nothing. */
  close(): void {
    if (this.#fd === -1) return;
    const fd = this.#fd;
    this.#fd = -1;
    close(fd);
  }

  /** Give up ownership without closing (e.g. after handing the fd on). */
  release(): number {
    const fd = this.#fd;
    this.#fd = -1;
    return fd;
  }

  /** Close the descriptor (same as {@link Fd.close}). */
  [Symbol.dispose](): void {
    asDisposer(() => this.close());
  }
}

/**
 * `close(2)`.
 *
 * @example
 * ```ts
 * import { close } from "./fd.ts";
 * try { close(-1); } catch (e) { console.log(String(e)); }
 * // LibcError: close: EBADF (Bad file descriptor)
 * ```
 */
export function close(fd: number): void {
  if (libc.close(fd) === -1) failed("close", `close(${fd})`);
  if (TRACING) traceLine(`close(${fd})`, "0");
}

/** Both ends of a pipe; disposing closes whichever end is still open. */
export interface Pipe extends Disposable {
  /** The read end, `pipefd[0]`. */
  readonly read: Fd;
  /** The write end, `pipefd[1]`. */
  readonly write: Fd;
}

/**
 * `pipe2(2)`: a new pipe. Made with `O_CLOEXEC` by default, so no other
 * child that this process starts inherits an end by accident (a stray write
 * end would keep the reader from ever seeing EOF); a child that must have an
 * end gets it through a spawn file action (`dup2`), which clears the flag.
 *
 * @example
 * ```ts
 * import { pipe, writeAll, read } from "./fd.ts";
 * using p = pipe();
 * writeAll(p.write.fd, new Uint8Array([1, 2]));
 * p.write.close();
 * const buf = new Uint8Array(8);
 * console.log(read(p.read.fd, buf)); // 2
 * ```
 */
export function pipe(
  options: { cloexec?: boolean; nonblock?: boolean } = {},
): Pipe {
  const flags = (options.cloexec === false ? 0 : O.CLOEXEC) |
    (options.nonblock ? O.NONBLOCK : 0);
  const fds = new Int32Array(2);
  const flagText = flags === 0 ? "0" : openFlagNames(flags).slice(9);
  if (libc.pipe2(fds, flags) === -1) failed("pipe2", `pipe2(..., ${flagText})`);
  if (TRACING) traceLine(`pipe2([${fds[0]}, ${fds[1]}], ${flagText})`, "0");
  const readEnd = new Fd(fds[0]);
  const writeEnd = new Fd(fds[1]);
  return {
    read: readEnd,
    write: writeEnd,
    [Symbol.dispose]() {
      asDisposer(() => {
        readEnd.close();
        writeEnd.close();
      });
    },
  };
}

/**
 * `read(2)` into `buffer` (up to its length): the number of bytes read, 0 at
 * end of file. Like C, it returns what is there, not what was asked for.
 *
 * @example
 * ```ts
 * import { read } from "./fd.ts";
 * const buf = new Uint8Array(64);
 * const n = read(0, buf); // one read from stdin
 * ```
 */
export function read(fd: number, buffer: Uint8Array): number {
  // `as Uint8Array<ArrayBuffer>`: Deno 2.5 to 2.8.2 type FFI buffers as ArrayBuffer-backed only.
  const n = Number(libc.read(fd, buffer as Uint8Array<ArrayBuffer>, BigInt(buffer.length)));
  if (n === -1) failed("read", `read(${fd}, ..., ${buffer.length})`);
  if (TRACING) traceLine(`read(${fd}, <${buffer.length} bytes>)`, String(n));
  return n;
}

/**
 * `write(2)` from `buffer`: the number of bytes written (may be short).
 *
 * @example
 * ```ts
 * import { write } from "./fd.ts";
 * write(1, new TextEncoder().encode("hi\n")); // 3
 * ```
 */
export function write(fd: number, buffer: Uint8Array): number {
  // `as Uint8Array<ArrayBuffer>`: Deno 2.5 to 2.8.2 type FFI buffers as ArrayBuffer-backed only.
  const n = Number(libc.write(fd, buffer as Uint8Array<ArrayBuffer>, BigInt(buffer.length)));
  if (n === -1) failed("write", `write(${fd}, <${buffer.length} bytes>)`);
  if (TRACING) traceLine(`write(${fd}, <${buffer.length} bytes>)`, String(n));
  return n;
}

/**
 * Read until `buffer` is full or end of file; returns the bytes read (less
 * than `buffer.length` only at EOF). Retries after EINTR.
 *
 * @example
 * ```ts
 * import { readFull } from "./fd.ts";
 * const int32 = new Uint8Array(4);
 * if (readFull(0, int32) === 4) console.log(new Int32Array(int32.buffer)[0]);
 * ```
 */
export function readFull(fd: number, buffer: Uint8Array): number {
  let done = 0;
  while (done < buffer.length) {
    let n: number;
    try {
      n = read(fd, buffer.subarray(done));
    } catch (e) {
      if (e instanceof LibcError && e.errno === Errno.EINTR) continue;
      throw e;
    }
    if (n === 0) break;
    done += n;
  }
  return done;
}

/**
 * Write all of `buffer`, looping over short writes and EINTR.
 *
 * @example
 * ```ts
 * import { writeAll } from "./fd.ts";
 * writeAll(1, new TextEncoder().encode("hello\n"));
 * ```
 */
export function writeAll(fd: number, buffer: Uint8Array): void {
  let done = 0;
  while (done < buffer.length) {
    try {
      done += write(fd, buffer.subarray(done));
    } catch (e) {
      if (e instanceof LibcError && e.errno === Errno.EINTR) continue;
      throw e;
    }
  }
}

/**
 * Write all of `buffer` without ever blocking inside FFI: {@link writeAll}
 * for a non-blocking descriptor (a socket or pipe whose reader may stop
 * reading). When the kernel buffer is full (EAGAIN) it waits for `POLLOUT`
 * with {@link waitFor} (short `poll` slices, so Ctrl+C still works), then
 * writes the rest. On a *blocking* descriptor a full buffer would still
 * block in `write`: make the descriptor non-blocking first.
 *
 * @example
 * ```ts
 * import { pipe, writeAllAsync } from "./fd.ts";
 * using p = pipe({ nonblock: true });
 * await writeAllAsync(p.write.fd, new TextEncoder().encode("hello\n"));
 * ```
 */
export async function writeAllAsync(fd: number, buffer: Uint8Array): Promise<void> {
  let done = 0;
  while (done < buffer.length) {
    try {
      done += write(fd, buffer.subarray(done));
      continue;
    } catch (e) {
      if (!(e instanceof LibcError && (e.errno === Errno.EAGAIN || e.errno === Errno.EINTR))) {
        throw e;
      }
    }
    await waitFor(fd, POLL.OUT);
  }
}

/**
 * `open(2)`: returns an owned {@link Fd}. Errors name the path:
 * `open /nope/x: ENOENT (No such file or directory)`.
 *
 * @example
 * ```ts
 * import { openFile, O } from "./libc.ts";
 * using f = openFile("notes.txt", O.RDWR | O.CREAT, 0o644);
 * ```
 */
export function openFile(path: string, flags: number, mode = 0): Fd {
  const shown = `open(${quoted(path)}, ${openFlagNames(flags)}${
    flags & O.CREAT ? `, 0${mode.toString(8)}` : ""
  })`;
  const fd = libc.open(cString(path), flags, mode);
  if (fd === -1) failed("open", shown, path);
  if (TRACING) traceLine(shown, String(fd));
  return new Fd(fd);
}

/**
 * `dup2(2)`: make `newFd` a copy of `oldFd` (closing `newFd` first).
 *
 * @example
 * ```ts
 * import { dup2 } from "./fd.ts";
 * dup2(5, 0); // fd 5 becomes stdin
 * ```
 */
export function dup2(oldFd: number, newFd: number): number {
  const r = libc.dup2(oldFd, newFd);
  if (r === -1) failed("dup2", `dup2(${oldFd}, ${newFd})`);
  if (TRACING) traceLine(`dup2(${oldFd}, ${newFd})`, String(r));
  return r;
}

/**
 * `fcntl(2)` with an int argument; returns the call's result.
 *
 * @example
 * ```ts
 * import { fcntl, F } from "./libc.ts";
 * const capacity = fcntl(3, F.GETPIPE_SZ); // 65536 for a default pipe
 * ```
 */
export function fcntl(fd: number, cmd: number, arg = 0): number {
  const r = libc.fcntl(fd, cmd, arg);
  if (r === -1) failed("fcntl", `fcntl(${fd}, ${cmd}, ${arg})`);
  if (TRACING) traceLine(`fcntl(${fd}, ${cmd}, ${arg})`, String(r));
  return r;
}

/** `lseek(2)` whence values (`<unistd.h>`). */
export const SEEK = {
  /** The offset is `offset`. */
  SET: ABI.const.SEEK_SET,
  /** The offset is the current one plus `offset`. */
  CUR: ABI.const.SEEK_CUR,
  /** The offset is the file's size plus `offset`. */
  END: ABI.const.SEEK_END,
} as const;

/**
 * `lseek(2)`: move the file offset of `fd` (shared by every descriptor of
 * the same open file, across processes too); returns the new offset.
 *
 * @example
 * ```ts
 * import { lseek, openFile, O, SEEK } from "./libc.ts";
 * using f = openFile("/etc/hostname", O.RDONLY);
 * lseek(f.fd, 0, SEEK.SET); // 0: back to the start
 * ```
 */
export function lseek(fd: number, offset: number, whence: number): number {
  const shown = `lseek(${fd}, ${offset}, ${
    ["SEEK_SET", "SEEK_CUR", "SEEK_END"][whence] ?? String(whence)
  })`;
  const r = libc.lseek(fd, BigInt(offset), whence);
  if (r === -1n) failed("lseek", shown);
  if (TRACING) traceLine(shown, String(r));
  return Number(r);
}

/**
 * Switch `O_NONBLOCK` on or off for `fd`.
 *
 * @example
 * ```ts
 * import { setNonBlocking } from "./fd.ts";
 * setNonBlocking(0, true);
 * ```
 */
export function setNonBlocking(fd: number, on: boolean): void {
  const flags = fcntl(fd, F.GETFL);
  fcntl(fd, F.SETFL, on ? flags | O.NONBLOCK : flags & ~O.NONBLOCK);
}

/**
 * `poll(2)` on a single descriptor: the returned events (`POLL.IN`,
 * `POLL.HUP`...), 0 on timeout. EINTR counts as a timeout (0), so callers
 * simply look again.
 *
 * @example
 * ```ts
 * import { pollOne, POLL } from "./libc.ts";
 * if (pollOne(0, POLL.IN, 0) & POLL.IN) console.log("stdin has data");
 * ```
 */
export function pollOne(fd: number, events: number, timeoutMs: number): number {
  const pollfd = new Uint8Array(POLLFD.sizeof); // struct pollfd { int fd; short events, revents; }
  const view = new DataView(pollfd.buffer);
  view.setInt32(POLLFD.fd, fd, true);
  view.setInt16(POLLFD.events, events, true);
  const r = libc.poll(pollfd, 1n, timeoutMs);
  if (r === -1) {
    if (currentErrno() === Errno.EINTR) return 0;
    failed("poll", `poll([{fd=${fd}}], 1, ${timeoutMs})`);
  }
  if (TRACING && r > 0) {
    traceLine(
      `poll([{fd=${fd}, events=0x${events.toString(16)}}], 1, ${timeoutMs})`,
      `${r} (revents=0x${view.getUint16(POLLFD.revents, true).toString(16)})`,
    );
  }
  return r === 0 ? 0 : view.getUint16(POLLFD.revents, true);
}

/**
 * How long one synchronous `poll` may block inside {@link pollAsync}. While
 * it blocks, the isolate is frozen (no timers, no signal listeners), so it
 * is kept short: a Ctrl+C is handled within about this many milliseconds.
 */
export const POLL_SLICE_MS = 50;

/**
 * Give the event loop a turn (timers, signal listeners, I/O), or `ms`
 * milliseconds of turns: the pause of a retry loop that must still hear
 * Ctrl+C (a `sleep` inside an FFI call would not).
 *
 * @example
 * ```ts
 * import { pollOne, POLL, yieldToEventLoop } from "./libc.ts";
 * while (pollOne(0, POLL.IN, 50) === 0) await yieldToEventLoop(); // Ctrl+C still works
 * await yieldToEventLoop(50); // a 50 ms pause that signal listeners can interrupt
 * ```
 */
export function yieldToEventLoop(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * One descriptor and the `poll` events wanted on it: C's `struct pollfd`
 * without `revents` (the functions return those).
 *
 * @example
 * ```ts
 * import type { PollWant } from "./fd.ts";
 * import { POLL } from "./constants.ts";
 * const stdin: PollWant = { fd: 0, events: POLL.IN };
 * ```
 */
export interface PollWant {
  /** The descriptor. */
  fd: number;
  /** POLL.IN, POLL.OUT... (0 = only errors and hang-ups, always reported). */
  events: number;
}

/**
 * `poll(2)` on several descriptors at once: the `revents` of each, in
 * order (0 where nothing happened; all 0 on timeout or EINTR). It blocks
 * for up to `timeoutMs` inside one FFI call: to wait longer, use
 * {@link pollAsync}.
 *
 * @example
 * ```ts
 * import { pollMany } from "./fd.ts";
 * import { POLL } from "./constants.ts";
 * const [stdin] = pollMany([{ fd: 0, events: POLL.IN }], 0);
 * ```
 */
export function pollMany(wants: PollWant[], timeoutMs: number): number[] {
  if (wants.length === 1) return [pollOne(wants[0].fd, wants[0].events, timeoutMs)];
  // struct pollfd { int fd; short events; short revents; } fds[n];
  const buf = new Uint8Array(POLLFD.sizeof * wants.length);
  const view = new DataView(buf.buffer);
  wants.forEach((w, i) => {
    view.setInt32(POLLFD.sizeof * i + POLLFD.fd, w.fd, true);
    view.setInt16(POLLFD.sizeof * i + POLLFD.events, w.events, true);
  });
  const r = libc.poll(buf, BigInt(wants.length), timeoutMs);
  if (r === -1) {
    // EINTR: report "nothing yet"; the caller looks again.
    if (currentErrno() === Errno.EINTR) return wants.map(() => 0);
    failed("poll", `poll([${wants.map((w) => w.fd).join(", ")}], ${wants.length}, ${timeoutMs})`);
  }
  const revents = wants.map((_, i) => view.getUint16(POLLFD.sizeof * i + POLLFD.revents, true));
  if (TRACING && r > 0) {
    traceLine(
      `poll([${
        wants.map((w) => `{fd=${w.fd}, events=0x${w.events.toString(16)}}`).join(", ")
      }], ${wants.length}, ${timeoutMs})`,
      `${r} (revents=[${revents.map((v) => `0x${v.toString(16)}`).join(", ")}])`,
    );
  }
  return revents;
}

/**
 * `poll(2)` that waits without making the program deaf to signals: C's
 * `poll(fds, nfds, timeout)` for the ports. A `poll` that blocks inside one
 * FFI call freezes the isolate (no timers, no `Deno.addSignalListener`
 * callbacks, so Ctrl+C could not run the cleanups); this one polls in
 * {@link POLL_SLICE_MS} slices and gives the event loop a turn in between.
 * Resolves to the `revents` of each descriptor, in order, once any of them
 * reports an event (POLLERR, POLLHUP and POLLNVAL are always reported); all
 * 0 when `timeoutMs` passed first (default -1: wait for ever, as in C).
 * Only slices that report something are traced.
 *
 * @example
 * ```ts
 * import { pollAsync, POLL, read } from "./libc.ts";
 * const fifoFd = 5; // a FIFO's write end
 * // poll(fds, 2, -1): a line on stdin, or the FIFO's reader gone (POLLERR)
 * const [stdin, fifo] = await pollAsync([
 *   { fd: 0, events: POLL.IN },
 *   { fd: fifoFd, events: 0 },
 * ]);
 * if (stdin & POLL.IN) read(0, new Uint8Array(100));
 * ```
 */
export async function pollAsync(wants: PollWant[], timeoutMs = -1): Promise<number[]> {
  const deadline = timeoutMs < 0 ? Infinity : Date.now() + timeoutMs;
  for (;;) {
    const slice = Math.max(0, Math.min(POLL_SLICE_MS, deadline - Date.now()));
    const revents = pollMany(wants, slice);
    if (revents.some((v) => v !== 0)) return revents;
    if (Date.now() >= deadline) return revents;
    await yieldToEventLoop();
  }
}

/**
 * {@link pollAsync} on one descriptor: its `revents`, 0 when `timeoutMs`
 * passed first.
 *
 * @example
 * ```ts
 * import { waitFor, POLL, read } from "./libc.ts";
 * await waitFor(0, POLL.IN); // Ctrl+C still works while we wait
 * read(0, new Uint8Array(100));
 * ```
 */
export async function waitFor(
  fd: number,
  events: number,
  options: { timeoutMs?: number } = {},
): Promise<number> {
  const [revents] = await pollAsync([{ fd, events }], options.timeoutMs ?? -1);
  return revents;
}

/**
 * Like {@link read}, but first waits (signal-friendly, see
 * {@link pollAsync}) until `fd` is readable or hung up. Returns 0 at EOF.
 *
 * @example
 * ```ts
 * import { readAsync } from "./fd.ts";
 * const n = await readAsync(0, new Uint8Array(256));
 * ```
 */
export async function readAsync(
  fd: number,
  buffer: Uint8Array,
): Promise<number> {
  for (;;) {
    await waitFor(fd, POLL.IN);
    try {
      return read(fd, buffer);
    } catch (e) {
      // A non-blocking fd can still say "not yet" (another reader won).
      if (
        e instanceof LibcError &&
        (e.errno === Errno.EAGAIN || e.errno === Errno.EINTR)
      ) continue;
      throw e;
    }
  }
}
