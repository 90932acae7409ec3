/**
 * Unix domain sockets through libc: `socket`, `bind`, `listen`, `accept4`,
 * `connect`, `socketpair`, and `sendmsg`/`recvmsg` with `SCM_RIGHTS`, the
 * one thing only sockets can do: hand an *open file descriptor* to another
 * process.
 *
 * A socket is a file descriptor: data goes through plain `read`/`write`
 * (`lib/fd.ts`), and waiting is `poll` (see {@link waitFor}). A socket that
 * waits on a peer is made non-blocking, and each call that may wait has a
 * signal-friendly form: {@link acceptAsync}, {@link connectAsync},
 * {@link sendFdsAsync}, `readAsync`/`writeAllAsync` of lib/fd.ts: a
 * blocking call inside FFI would make the program deaf to Ctrl+C. An `AF_UNIX`
 * address is `struct sockaddr_un { sa_family_t sun_family; char
 * sun_path[108]; }`: a 2-byte family (1) then a NUL-terminated path, 110
 * bytes in all. A path of 108 bytes or more does not fit.
 *
 * Layouts used by {@link sendFds}/{@link receiveFds} (x86_64 and aarch64,
 * measured with a C probe):
 *
 * ```text
 * struct iovec   { void *iov_base; size_t iov_len; }                 16 bytes
 * struct msghdr  { void *msg_name;        @0   (NULL: connected socket)
 *                  socklen_t msg_namelen; @8   (u32, then 4 bytes padding)
 *                  struct iovec *msg_iov; @16
 *                  size_t msg_iovlen;     @24
 *                  void *msg_control;     @32  (the cmsghdr buffer)
 *                  size_t msg_controllen; @40
 *                  int msg_flags; }       @48  56 bytes
 * struct cmsghdr { size_t cmsg_len;       @0   CMSG_LEN(n) = 16 + n
 *                  int cmsg_level;        @8   SOL_SOCKET (1)
 *                  int cmsg_type;         @12  SCM_RIGHTS (1)
 *                  unsigned char data[];  @16  the ints: one fd each }
 * ```
 * The control buffer is `CMSG_SPACE(4 * nfds)` = 16 + n rounded up to 8.
 * Pointers inside these structs are raw addresses of JS buffers
 * (`Deno.UnsafePointer.of`), so the buffers are kept alive until the call
 * returns.
 *
 * @module
 */
import { libc } from "./ffi/libc_ffi.ts";
import { currentErrno, Errno, errnoName, LibcError } from "./errno.ts";
import { failed, Fd, POLL_SLICE_MS, waitFor, yieldToEventLoop } from "./fd.ts";
import { type FileType, lstat } from "./files.ts";
import { POLL } from "./constants.ts";
import { quoted, traceLine, TRACING } from "./trace.ts";
import { ABI } from "./abi.ts";

const C = ABI.const;
const MSGHDR = ABI.struct.msghdr;
const CMSGHDR = ABI.struct.cmsghdr;
const IOVEC = ABI.struct.iovec;

/** Socket constants from `<sys/socket.h>` (Linux). */
export const SOCK = {
  /** Address family for local (Unix domain) sockets. */
  AF_UNIX: C.AF_UNIX,
  /** A reliable byte stream (like a pipe, but both ways). */
  STREAM: C.SOCK_STREAM,
  /** Message boundaries kept. */
  DGRAM: C.SOCK_DGRAM,
  /** `socket`/`accept4` type flag: non-blocking. */
  NONBLOCK: C.SOCK_NONBLOCK,
  /** `socket`/`accept4` type flag: close on exec. */
  CLOEXEC: C.SOCK_CLOEXEC,
  /** `cmsg_level` for socket-level control messages. */
  SOL_SOCKET: C.SOL_SOCKET,
  /** `cmsg_type`: the payload is file descriptors. */
  SCM_RIGHTS: C.SCM_RIGHTS,
  /** `recvmsg` flag: received descriptors get FD_CLOEXEC. */
  MSG_CMSG_CLOEXEC: C.MSG_CMSG_CLOEXEC,
  /** `msg_flags` bit: control data was cut short (descriptors lost). */
  MSG_CTRUNC: C.MSG_CTRUNC,
  /** `send`/`sendmsg` flag: EPIPE instead of SIGPIPE. */
  MSG_NOSIGNAL: C.MSG_NOSIGNAL,
  /** `shutdown` how: no more writes (the peer reads EOF). */
  SHUT_WR: C.SHUT_WR,
} as const;

/** `sizeof(struct sockaddr_un)` on Linux. */
export const SOCKADDR_UN_SIZE: number = ABI.struct.sockaddr_un.sizeof;

/** Room for the path in `sun_path`, including its terminating NUL. */
export const SUN_PATH_MAX: number = ABI.struct.sockaddr_un.sizeof -
  ABI.struct.sockaddr_un.sun_path;

const encoder = new TextEncoder();

/**
 * Build a `struct sockaddr_un` for `path`. Throws a `RangeError` when the
 * path (in UTF-8, plus its NUL) does not fit into the 108 bytes of
 * `sun_path` (the kernel would refuse or truncate it).
 *
 * @example
 * ```ts
 * import { sockaddrUn } from "./socket.ts";
 * const addr = sockaddrUn("/tmp/echo.sock"); // 110 bytes: family 1, then the path
 * ```
 */
export function sockaddrUn(path: string): Uint8Array<ArrayBuffer> {
  const bytes = encoder.encode(path);
  if (bytes.length === 0) throw new RangeError("a Unix socket path cannot be empty");
  if (bytes.includes(0)) throw new RangeError(`a socket path cannot contain NUL: ${quoted(path)}`);
  if (bytes.length >= SUN_PATH_MAX) {
    throw new RangeError(
      `socket path too long for sockaddr_un (${bytes.length} bytes, at most ${
        SUN_PATH_MAX - 1
      }): ${path}`,
    );
  }
  const addr = new Uint8Array(SOCKADDR_UN_SIZE);
  new DataView(addr.buffer).setUint16(ABI.struct.sockaddr_un.sun_family, SOCK.AF_UNIX, true);
  addr.set(bytes, ABI.struct.sockaddr_un.sun_path);
  return addr;
}

function typeText(type: number): string {
  const base = type & 0xf;
  const names = [
    base === SOCK.STREAM ? "SOCK_STREAM" : base === SOCK.DGRAM ? "SOCK_DGRAM" : `${base}`,
  ];
  if (type & SOCK.NONBLOCK) names.push("SOCK_NONBLOCK");
  if (type & SOCK.CLOEXEC) names.push("SOCK_CLOEXEC");
  return names.join("|");
}

/**
 * `socket(2)`: a new socket, owned. `AF_UNIX` + `SOCK_STREAM` by default,
 * always with `SOCK_CLOEXEC` (no child inherits it by accident);
 * `nonblock: true` adds `SOCK_NONBLOCK`.
 *
 * @example
 * ```ts
 * import { socket } from "./socket.ts";
 * using s = socket({ nonblock: true });
 * ```
 */
export function socket(options: { nonblock?: boolean; type?: number } = {}): Fd {
  const type = (options.type ?? SOCK.STREAM) | SOCK.CLOEXEC |
    (options.nonblock ? SOCK.NONBLOCK : 0);
  const shown = `socket(AF_UNIX, ${typeText(type)}, 0)`;
  const fd = libc.socket(SOCK.AF_UNIX, type, 0);
  if (fd === -1) failed("socket", shown);
  if (TRACING) traceLine(shown, String(fd));
  return new Fd(fd);
}

/**
 * `bind(2)` a socket to a path: this creates the socket file (EADDRINUSE
 * when the path already exists, even as a stale socket of a dead server:
 * {@link socketFileState} tells which).
 * The file outlives the socket: a server `close`s its socket and then
 * `unlink`s the path itself (`unlink` of lib/files.ts). Errors name the path.
 *
 * @example
 * ```ts
 * import { bind, socket } from "./socket.ts";
 * using s = socket();
 * bind(s.fd, "/tmp/demo.sock");
 * ```
 */
export function bind(fd: number, path: string): void {
  const addr = sockaddrUn(path);
  const shown = `bind(${fd}, {AF_UNIX, ${quoted(path)}}, ${SOCKADDR_UN_SIZE})`;
  if (libc.bind(fd, addr, SOCKADDR_UN_SIZE) === -1) failed("bind", shown, path);
  if (TRACING) traceLine(shown, "0");
}

/**
 * `listen(2)`: accept connections, at most `backlog` waiting.
 *
 * @example
 * ```ts
 * import { bind, listen, socket } from "./socket.ts";
 * using s = socket();
 * bind(s.fd, "/tmp/demo.sock");
 * listen(s.fd, 16);
 * ```
 */
export function listen(fd: number, backlog = 16): void {
  const shown = `listen(${fd}, ${backlog})`;
  if (libc.listen(fd, backlog) === -1) failed("listen", shown);
  if (TRACING) traceLine(shown, "0");
}

/**
 * `accept4(2)` one waiting connection as an owned {@link Fd} (with
 * `SOCK_CLOEXEC`, and `SOCK_NONBLOCK` when asked). On a non-blocking
 * listening socket with nobody waiting it returns `null` (EAGAIN).
 *
 * @example
 * ```ts
 * import { accept, bind, listen, socket } from "./socket.ts";
 * using server = socket({ nonblock: true });
 * bind(server.fd, "/tmp/demo.sock");
 * listen(server.fd, 16);
 * const conn = accept(server.fd); // null: nobody has connected yet
 * ```
 */
export function accept(fd: number, options: { nonblock?: boolean } = {}): Fd | null {
  const flags = SOCK.CLOEXEC | (options.nonblock ? SOCK.NONBLOCK : 0);
  const shown = `accept4(${fd}, NULL, NULL, ${typeText(flags).replace(/^\d+\|/, "")})`;
  const r = libc.accept4(fd, null, null, flags);
  if (r === -1) {
    const errno = currentErrno(); // read before anything else
    if (errno === Errno.EAGAIN || errno === Errno.EINTR) {
      if (TRACING) traceLine(shown, `-1 ${errnoName(errno)}`);
      return null;
    }
    failed("accept4", shown);
  }
  if (TRACING) traceLine(shown, String(r));
  return new Fd(r);
}

/**
 * Wait (signal-friendly, see {@link waitFor}) for a connection on a
 * listening socket and accept it. Returns `null` when `timeoutMs` passes.
 *
 * @example
 * ```ts
 * import { acceptAsync, bind, listen, socket } from "./socket.ts";
 * using server = socket({ nonblock: true });
 * bind(server.fd, "/tmp/demo.sock");
 * listen(server.fd, 16);
 * using conn = await acceptAsync(server.fd); // Ctrl+C still works meanwhile
 * ```
 */
export async function acceptAsync(
  fd: number,
  options: { nonblock?: boolean; timeoutMs?: number } = {},
): Promise<Fd | null> {
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return null;
    const ready = await waitFor(fd, POLL.IN, { timeoutMs: left === Infinity ? undefined : left });
    if (ready === 0) return null;
    const conn = accept(fd, options);
    if (conn !== null) return conn;
  }
}

/**
 * `connect(2)` a socket to the server listening at `path`. ENOENT when
 * nothing is there, ECONNREFUSED when the file is a socket nobody listens
 * on (a stale one). Errors name the path.
 *
 * @example
 * ```ts
 * import { connect, socket } from "./socket.ts";
 * using s = socket();
 * connect(s.fd, "/tmp/demo.sock");
 * ```
 */
export function connect(fd: number, path: string): void {
  const addr = sockaddrUn(path);
  const shown = `connect(${fd}, {AF_UNIX, ${quoted(path)}}, ${SOCKADDR_UN_SIZE})`;
  if (libc.connect(fd, addr, SOCKADDR_UN_SIZE) === -1) failed("connect", shown, path);
  if (TRACING) traceLine(shown, "0");
}

/**
 * {@link connect} for a non-blocking socket: a listener whose backlog is
 * full answers EAGAIN instead of making `connect` wait (a blocking `connect`
 * would wait there inside FFI, deaf to Ctrl+C), so it tries again after a
 * signal-friendly pause of `POLL_SLICE_MS` until the server accepts room.
 * On `AF_UNIX` a connect that gets through is complete at once (no
 * EINPROGRESS).
 *
 * @example
 * ```ts
 * import { connectAsync, socket } from "./socket.ts";
 * using s = socket({ nonblock: true });
 * await connectAsync(s.fd, "/tmp/demo.sock");
 * ```
 */
export async function connectAsync(fd: number, path: string): Promise<void> {
  for (;;) {
    try {
      connect(fd, path);
      return;
    } catch (e) {
      if (!(e instanceof LibcError && (e.errno === Errno.EAGAIN || e.errno === Errno.EINTR))) {
        throw e;
      }
    }
    await yieldToEventLoop(POLL_SLICE_MS);
  }
}

/**
 * What a socket path holds, as a server that found it taken (`bind`:
 * EADDRINUSE) needs to know before it may remove it: see
 * {@link socketFileState}.
 *
 * - `"missing"`: nothing there (any more).
 * - `"live"`: a socket somebody accepts on (a probe `connect` got through,
 *   or the backlog is full, or a socket of another type is bound there).
 * - `"stale"`: a socket file nobody accepts on: `connect` is refused
 *   (ECONNREFUSED). Its server ended without `unlink` (SIGKILL, a crash).
 * - any other {@link FileType} word (`"regular file"`, `"directory"`,
 *   `"symbolic link"`...): not a socket at all; never remove it.
 *
 * @example
 * ```ts
 * import type { SocketFileState } from "./socket.ts";
 * const state: SocketFileState = "stale";
 * ```
 */
export type SocketFileState = "missing" | "live" | "stale" | Exclude<FileType, "socket">;

/**
 * Is the socket file at `path` held by a live server, or left by a dead
 * one? First `lstat` (only a socket may be taken over; a symbolic link is
 * not followed), then `connect` a throwaway non-blocking socket to it:
 * ECONNREFUSED means nobody accepts there any more. The probe is a real
 * connection: a live server sees a client that comes and goes at once.
 * A server between its own `bind` and `listen` would look stale too; that
 * window is a few microseconds.
 *
 * @example
 * ```ts
 * import { socketFileState } from "./socket.ts";
 * if (socketFileState("echo.sock") === "stale") {
 *   // left by a server that was SIGKILLed: unlink it, bind again
 * }
 * ```
 */
export function socketFileState(path: string): SocketFileState {
  let type: FileType;
  try {
    type = lstat(path).type;
  } catch (e) {
    if (e instanceof LibcError && e.errno === Errno.ENOENT) return "missing";
    throw e;
  }
  if (type !== "socket") return type;
  // probe = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0); connect(probe, &addr, sizeof addr);
  using probe = socket({ nonblock: true });
  try {
    connect(probe.fd, path);
    return "live";
  } catch (e) {
    if (!(e instanceof LibcError)) throw e;
    if (e.code === "ECONNREFUSED") return "stale";
    if (e.errno === Errno.ENOENT) return "missing";
    // EAGAIN: the backlog is full; EPROTOTYPE: a datagram socket is bound there.
    if (e.errno === Errno.EAGAIN || e.code === "EPROTOTYPE") return "live";
    throw e;
  }
}

/**
 * `socketpair(2)`: two connected `AF_UNIX` stream sockets, no path needed
 * (like a pipe that works both ways). Both ends are owned and close-on-exec.
 *
 * @example
 * ```ts
 * import { socketpair } from "./socket.ts";
 * import { read, writeAll } from "./fd.ts";
 * const [a, b] = socketpair();
 * writeAll(a.fd, new Uint8Array([1, 2, 3]));
 * console.log(read(b.fd, new Uint8Array(8))); // 3
 * a.close();
 * b.close();
 * ```
 */
export function socketpair(options: { nonblock?: boolean } = {}): [Fd, Fd] {
  const type = SOCK.STREAM | SOCK.CLOEXEC | (options.nonblock ? SOCK.NONBLOCK : 0);
  const fds = new Int32Array(2);
  const shown = `socketpair(AF_UNIX, ${typeText(type)}, 0, ...)`;
  if (libc.socketpair(SOCK.AF_UNIX, type, 0, new Uint8Array(fds.buffer)) === -1) {
    failed("socketpair", shown);
  }
  if (TRACING) traceLine(`socketpair(AF_UNIX, ${typeText(type)}, 0, [${fds[0]}, ${fds[1]}])`, "0");
  return [new Fd(fds[0]), new Fd(fds[1])];
}

/**
 * `shutdown(2)`: with `SOCK.SHUT_WR`, tell the peer we will write no more
 * (it reads EOF) while still reading its answers.
 *
 * @example
 * ```ts
 * import { shutdown, SOCK, socketpair } from "./socket.ts";
 * const [a, b] = socketpair();
 * shutdown(a.fd, SOCK.SHUT_WR);
 * ```
 */
export function shutdown(fd: number, how: number): void {
  const shown = `shutdown(${fd}, ${how === SOCK.SHUT_WR ? "SHUT_WR" : how})`;
  if (libc.shutdown(fd, how) === -1) failed("shutdown", shown);
  if (TRACING) traceLine(shown, "0");
}

function address(buffer: Uint8Array): bigint {
  return Deno.UnsafePointer.value(Deno.UnsafePointer.of(buffer as Uint8Array<ArrayBuffer>));
}

const MSGHDR_SIZE = MSGHDR.sizeof;
const CMSGHDR_SIZE = CMSGHDR.sizeof;
const cmsgLen = (n: number) => CMSGHDR_SIZE + n;
const cmsgSpace = (n: number) => CMSGHDR_SIZE + ((n + 7) & ~7);

/**
 * `sendmsg(2)` with `SCM_RIGHTS`: send `data` (at least one byte: a
 * control message needs data to ride on) together with the descriptors
 * `fds`. The receiver gets *new* descriptors for the same open files
 * (same offset, same flags), as if `dup` worked across processes; ours
 * stay open. Returns the number of data bytes sent.
 *
 * @example
 * ```ts
 * import { sendFds, socketpair } from "./socket.ts";
 * import { openFile } from "./fd.ts";
 * import { O } from "./constants.ts";
 * const [a, b] = socketpair();
 * using file = openFile("/etc/hostname", O.RDONLY);
 * sendFds(a.fd, new TextEncoder().encode("F"), [file.fd]);
 * ```
 */
export function sendFds(fd: number, data: Uint8Array, fds: number[]): number {
  if (data.length === 0) throw new RangeError("sendFds: send at least one byte with the fds");
  const payload = data.slice();
  // struct iovec iov = { .iov_base = payload, .iov_len = payload.length };
  const iov = new Uint8Array(IOVEC.sizeof);
  const iovView = new DataView(iov.buffer);
  iovView.setBigUint64(IOVEC.iov_base, address(payload), true);
  iovView.setBigUint64(IOVEC.iov_len, BigInt(payload.length), true);
  // char control[CMSG_SPACE(n * sizeof(int))]; one cmsghdr + the ints
  const control = new Uint8Array(cmsgSpace(4 * fds.length));
  const cmsg = new DataView(control.buffer);
  cmsg.setBigUint64(CMSGHDR.cmsg_len, BigInt(cmsgLen(4 * fds.length)), true); // CMSG_LEN(...)
  cmsg.setInt32(CMSGHDR.cmsg_level, SOCK.SOL_SOCKET, true);
  cmsg.setInt32(CMSGHDR.cmsg_type, SOCK.SCM_RIGHTS, true);
  fds.forEach((f, i) => cmsg.setInt32(CMSGHDR_SIZE + 4 * i, f, true)); // CMSG_DATA
  // struct msghdr msg = { NULL, 0, &iov, 1, control, sizeof control, 0 };
  const msg = new Uint8Array(MSGHDR_SIZE);
  const m = new DataView(msg.buffer);
  m.setBigUint64(MSGHDR.msg_iov, address(iov), true);
  m.setBigUint64(MSGHDR.msg_iovlen, 1n, true);
  m.setBigUint64(MSGHDR.msg_control, fds.length === 0 ? 0n : address(control), true);
  m.setBigUint64(MSGHDR.msg_controllen, fds.length === 0 ? 0n : BigInt(control.length), true);
  const shown = `sendmsg(${fd}, {iov=<${payload.length} bytes>, SCM_RIGHTS [${
    fds.join(", ")
  }]}, MSG_NOSIGNAL)`;
  const n = Number(libc.sendmsg(fd, msg, SOCK.MSG_NOSIGNAL));
  if (n === -1) failed("sendmsg", shown);
  if (TRACING) traceLine(shown, String(n));
  // Keep the buffers the raw pointers point into alive until here.
  void [payload, iov, control];
  return n;
}

/**
 * {@link sendFds} on a non-blocking socket, waiting (signal-friendly, see
 * {@link waitFor}) for `POLLOUT` while the socket's buffer is full (EAGAIN)
 * instead of blocking inside FFI. Returns the number of data bytes sent;
 * meant for the short messages descriptors ride on (a short send is not
 * completed: the descriptors went with the first byte).
 *
 * @example
 * ```ts
 * import { sendFdsAsync, socketpair } from "./socket.ts";
 * const [a, b] = socketpair({ nonblock: true });
 * await sendFdsAsync(a.fd, new TextEncoder().encode("F"), [0]);
 * ```
 */
export async function sendFdsAsync(fd: number, data: Uint8Array, fds: number[]): Promise<number> {
  for (;;) {
    try {
      return sendFds(fd, data, fds);
    } catch (e) {
      if (!(e instanceof LibcError && (e.errno === Errno.EAGAIN || e.errno === Errno.EINTR))) {
        throw e;
      }
    }
    await waitFor(fd, POLL.OUT);
  }
}

/** What {@link receiveFds} got: data bytes and owned descriptors. */
export interface ReceivedFds {
  /** Data bytes read (0 at end of file: the peer closed). */
  bytes: number;
  /** The descriptors that came with the data, now ours (close them). */
  fds: Fd[];
  /** True when the kernel had to drop descriptors (control buffer too small). */
  truncated: boolean;
}

/**
 * `recvmsg(2)` that also collects descriptors passed with `SCM_RIGHTS`
 * (at most `maxFds`), received close-on-exec (`MSG_CMSG_CLOEXEC`). Data goes
 * into `buffer`. Blocks unless the socket is non-blocking (then EAGAIN
 * throws); wait with {@link waitFor} first.
 *
 * @example
 * ```ts
 * import { receiveFds, socketpair } from "./socket.ts";
 * const [a, b] = socketpair();
 * // ... the peer calls sendFds(a.fd, ...)
 * const got = receiveFds(b.fd, new Uint8Array(64), 1);
 * for (const f of got.fds) f.close();
 * ```
 */
export function receiveFds(fd: number, buffer: Uint8Array, maxFds = 1): ReceivedFds {
  const data = new Uint8Array(buffer.length);
  const iov = new Uint8Array(IOVEC.sizeof);
  const iovView = new DataView(iov.buffer);
  iovView.setBigUint64(IOVEC.iov_base, address(data), true);
  iovView.setBigUint64(IOVEC.iov_len, BigInt(data.length), true);
  const control = new Uint8Array(cmsgSpace(4 * maxFds));
  const msg = new Uint8Array(MSGHDR_SIZE);
  const m = new DataView(msg.buffer);
  m.setBigUint64(MSGHDR.msg_iov, address(iov), true);
  m.setBigUint64(MSGHDR.msg_iovlen, 1n, true);
  m.setBigUint64(MSGHDR.msg_control, address(control), true);
  m.setBigUint64(MSGHDR.msg_controllen, BigInt(control.length), true);
  const shown = `recvmsg(${fd}, ..., MSG_CMSG_CLOEXEC)`;
  const n = Number(libc.recvmsg(fd, msg, SOCK.MSG_CMSG_CLOEXEC));
  if (n === -1) failed("recvmsg", shown);
  buffer.set(data.subarray(0, n));
  // Walk the control messages: CMSG_FIRSTHDR / CMSG_NXTHDR.
  const fds: Fd[] = [];
  const controlLength = Number(m.getBigUint64(MSGHDR.msg_controllen, true)); // the kernel's
  const c = new DataView(control.buffer);
  for (let offset = 0; offset + CMSGHDR_SIZE <= controlLength;) {
    const len = Number(c.getBigUint64(offset + CMSGHDR.cmsg_len, true));
    if (len < CMSGHDR_SIZE) break;
    const level = c.getInt32(offset + CMSGHDR.cmsg_level, true);
    const type = c.getInt32(offset + CMSGHDR.cmsg_type, true);
    if (level === SOCK.SOL_SOCKET && type === SOCK.SCM_RIGHTS) {
      for (let p = offset + CMSGHDR_SIZE; p + 4 <= offset + len; p += 4) {
        fds.push(new Fd(c.getInt32(p, true)));
      }
    }
    offset += (len + 7) & ~7;
  }
  const truncated = (m.getInt32(MSGHDR.msg_flags, true) & SOCK.MSG_CTRUNC) !== 0;
  if (TRACING) {
    traceLine(
      `recvmsg(${fd}, {iov=<${n} bytes>, SCM_RIGHTS [${fds.map((f) => f.fd).join(", ")}]${
        truncated ? ", MSG_CTRUNC" : ""
      }}, MSG_CMSG_CLOEXEC)`,
      String(n),
    );
  }
  void [data, iov, control];
  return { bytes: n, fds, truncated };
}
