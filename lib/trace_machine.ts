/**
 * IPC_TRACE's machine format: with `IPC_TRACE=/abs/file.jsonl` each traced
 * call is appended to that file as one JSON object per line, for
 * `deno task trace` (scripts/trace/) to draw. Fields:
 *
 * - `t0`, `t1`: `clock_gettime(CLOCK_MONOTONIC)` in nanoseconds just before
 *   and just after the libc call (one clock for every process of the
 *   machine, so lines of different processes compare); `t0` equals `t1`
 *   when the call was not timed;
 * - `pid`, `role`: who called (`setTraceRole`);
 * - `call`: the function's name; `text` and `result`: what the human line
 *   shows (`read(21, <4 bytes>)`, `4`); `error`: the errno name, if it failed;
 * - `object`: the kernel object the call acts on, `{ id, kind, label }`: a
 *   pipe or FIFO by its inode (the same in every process), a FIFO, file or
 *   socket file by its name, a SysV object by its id, a POSIX object by its
 *   name; `alias`: another id of the same object (the descriptor of a socket
 *   before `bind`/`connect` named it, a SysV object's key);
 * - `bytes`: the data the call moved; `spawned`: the pid `posix_spawnp`
 *   started, and `inherits`: the objects its `dup2` file actions gave the
 *   child (`ls`'s stdout is the pipe); `target`: the pid `kill` or `waitpid`
 *   named;
 * - `dispose`: `true` when a `using` disposer made the call (lib/'s safety
 *   net, `asDisposer` in lib/trace.ts), not the program's own code;
 * - a last line `{"call": "exit", "result": "<code>"}` when the process exits
 *   through `Deno.exit` or the end of its program.
 *
 * Finding the object costs one `statx` on a descriptor the process has not
 * seen named (an inherited pipe end, a received descriptor). These calls, the
 * clock and the writes of the trace file go through a libc handle of their
 * own and are not traced: they are the tracer's, not the program's.
 *
 * @module
 */
import { LIBC_SYMBOLS } from "./ffi/symbols.ts";
import { takeCallTime, timeCalls } from "./ffi/libc_ffi.ts";
import { ABI } from "./abi.ts";

const C = ABI.const;
const STATX = ABI.struct.statx;

/**
 * The kinds of kernel object a trace line can name (scripts/trace/picture.ts draws them).
 *
 * @example
 * ```ts
 * import type { TracedObjectKind } from "./trace_machine.ts";
 * const kind: TracedObjectKind = "fifo";
 * ```
 */
export type TracedObjectKind =
  | "pipe"
  | "fifo"
  | "file"
  | "socket"
  | "segment"
  | "semaphore"
  | "queue"
  | "shm-object";

/**
 * The kernel object a call acts on.
 *
 * @example
 * ```ts
 * import type { TracedObject } from "./trace_machine.ts";
 * const fifo: TracedObject = { id: "path:testfifo", kind: "fifo", label: "testfifo" };
 * ```
 */
export interface TracedObject {
  /** Stable across the processes of one run: `ino:8:1234`, `path:testfifo`, `shm:32769`. */
  id: string;
  kind: TracedObjectKind;
  /** What a reader calls it: `pipe`, `testfifo`, `segment 0x000004d2`, `/ipc-lab-mq`. */
  label: string;
  /** Found as the process's stdin, stdout or stderr, which it did not name itself. */
  std?: boolean;
}

/**
 * One line of the machine trace.
 *
 * @example
 * ```ts
 * import type { TraceRecord } from "./trace_machine.ts";
 * const line = '{"t0":1,"t1":2,"pid":7,"role":"child","call":"read","text":"read(21, <4 bytes>)","result":"4"}';
 * const r: TraceRecord = JSON.parse(line);
 * console.log(r.t1 - r.t0); // nanoseconds in the call
 * ```
 */
export interface TraceRecord {
  t0: number;
  t1: number;
  pid: number;
  role: string;
  call: string;
  text: string;
  result: string;
  error?: string;
  object?: TracedObject;
  alias?: string;
  bytes?: number;
  spawned?: number;
  /** posix_spawnp's `dup2` file actions: the child's descriptor and the object it is. */
  inherits?: { fd: number; object: TracedObject }[];
  target?: number;
  /** Made by a `using` disposer (lib/'s safety net), not by the program's own call. */
  dispose?: true;
}

/** Calls whose first argument is a file descriptor. */
const FD_FIRST = new Set([
  "read",
  "write",
  "close",
  "fcntl",
  "lseek",
  "ftruncate",
  "fpathconf",
  "listen",
  "shutdown",
  "sendmsg",
  "recvmsg",
  "dup2",
  "mq_send",
  "mq_receive",
  "mq_getattr",
  "mq_close",
]);

/** Calls that move data, and where their byte count is. */
const BYTES_FROM_RESULT = new Set(["read", "write", "recvmsg", "sendmsg", "mq_receive", "msgrcv"]);
const BYTES_FROM_TEXT = new Set(["mq_send", "msgsnd"]);

/** SysV calls: the object kind and label word by call name prefix. */
const SYSV: Record<string, { prefix: string; kind: TracedObjectKind; word: string }> = {
  shm: { prefix: "shm", kind: "segment", word: "segment" },
  sem: { prefix: "sem", kind: "semaphore", word: "semaphore set" },
  msg: { prefix: "msg", kind: "queue", word: "queue" },
};

function basename(path: string): string {
  const parts = path.split("/").filter((p) => p !== "");
  return parts.length ? parts[parts.length - 1] : path;
}

function firstQuoted(text: string): string | undefined {
  const m = text.match(/"((?:[^"\\]|\\.)*)"/);
  if (!m) return undefined;
  try {
    return JSON.parse(`"${m[1]}"`);
  } catch {
    return m[1];
  }
}

/**
 * The machine trace of this process (lib/trace.ts makes one when IPC_TRACE
 * names a file, and passes it every call it traces).
 *
 * @example
 * ```ts
 * import { MachineTrace } from "./trace_machine.ts";
 * const trace = new MachineTrace("/tmp/run.jsonl", () => "writer");
 * trace.record("mkfifo(\"testfifo\", 0644)", "0"); // one JSON line in /tmp/run.jsonl
 * ```
 */
export class MachineTrace {
  #path: string;
  #role: () => string;
  #disposing: () => boolean;
  #libc: Deno.DynamicLibrary<{
    clock_gettime: typeof LIBC_SYMBOLS.clock_gettime;
    statx: typeof LIBC_SYMBOLS.statx;
    open: typeof LIBC_SYMBOLS.open;
    write: typeof LIBC_SYMBOLS.write;
    getpid: typeof LIBC_SYMBOLS.getpid;
  }>["symbols"];
  #fd = -1;
  #timespec = new BigInt64Array(2);
  #statx = new Uint8Array(STATX.sizeof);
  #encoder = new TextEncoder();
  #byFd = new Map<number, TracedObject>();
  #byAddress = new Map<string, TracedObject>();
  #sysvLabels = new Map<string, string>();

  constructor(path: string, role: () => string, disposing: () => boolean = () => false) {
    this.#path = path;
    this.#role = role;
    this.#disposing = disposing;
    this.#libc = Deno.dlopen("libc.so.6", {
      clock_gettime: LIBC_SYMBOLS.clock_gettime,
      statx: LIBC_SYMBOLS.statx,
      open: LIBC_SYMBOLS.open,
      write: LIBC_SYMBOLS.write,
      getpid: LIBC_SYMBOLS.getpid,
    }).symbols;
    timeCalls(() => this.now());
    globalThis.addEventListener("unload", () => {
      const t = this.now();
      this.#append({
        t0: t,
        t1: t,
        pid: this.#libc.getpid(),
        role: this.#role(),
        call: "exit",
        text: `exit(${Deno.exitCode})`,
        result: String(Deno.exitCode),
      });
    });
  }

  /** CLOCK_MONOTONIC in nanoseconds. */
  now(): number {
    this.#libc.clock_gettime(C.CLOCK_MONOTONIC, this.#timespec);
    return Number(this.#timespec[0]) * 1e9 + Number(this.#timespec[1]);
  }

  /** Record the call `text` (as the human line shows it) and its `result`. */
  record(text: string, result: string): void {
    const open = text.indexOf("(");
    const call = open > 0 ? text.slice(0, open) : text;
    const [t0, t1] = takeCallTime(call) ?? (() => {
      const t = this.now();
      return [t, t];
    })();
    const r: TraceRecord = {
      t0,
      t1,
      pid: this.#libc.getpid(),
      role: this.#role(),
      call,
      text,
      result,
    };
    const error = result.match(/^(?:-1 )?(E[A-Z0-9]+)\b/);
    if (error) r.error = error[1];
    if (this.#disposing()) r.dispose = true;
    const args = open > 0 ? text.slice(open + 1, text.lastIndexOf(")")) : "";
    this.#resolve(r, args);
    const n = parseInt(result, 10);
    if (!r.error && BYTES_FROM_RESULT.has(call) && n >= 0) r.bytes = n;
    if (!r.error && BYTES_FROM_TEXT.has(call)) {
      const m = text.match(/<(\d+) bytes>/);
      if (m) r.bytes = Number(m[1]);
    }
    this.#append(r);
  }

  #append(r: TraceRecord): void {
    if (this.#fd < 0) {
      const path = this.#encoder.encode(`${this.#path}\0`);
      this.#fd = this.#libc.open(
        path,
        C.O_WRONLY | C.O_APPEND | C.O_CREAT | C.O_CLOEXEC,
        0o644,
      );
      if (this.#fd < 0) return; // nowhere to write: the program runs on untraced
    }
    const line = this.#encoder.encode(`${JSON.stringify(r)}\n`);
    this.#libc.write(this.#fd, line, BigInt(line.length));
  }

  /** What `fd` is: named earlier in this process, or asked of the kernel (statx). */
  #objectOfFd(fd: number): TracedObject | undefined {
    if (!Number.isInteger(fd) || fd < 0) return undefined;
    const known = this.#byFd.get(fd);
    if (known) return known;
    // stdin, stdout, stderr: marked, for the picture to keep only when the
    // object is also seen elsewhere (a pipe a parent made and gave its child
    // as fd 1), not the user's terminal or the tour's pipes.
    if (fd <= 2) {
      const found = this.#inode(fd);
      return found ? { ...found, std: true } : undefined;
    }
    const found = this.#inode(fd);
    if (found) this.#byFd.set(fd, found);
    return found;
  }

  /** A pipe, socket or file by its inode (statx on the descriptor); undefined for the rest. */
  #inode(fd: number): TracedObject | undefined {
    const mask = C.STATX_TYPE | C.STATX_INO;
    if (this.#libc.statx(fd, new Uint8Array(1), C.AT_EMPTY_PATH, mask, this.#statx) !== 0) {
      return undefined;
    }
    const view = new DataView(this.#statx.buffer);
    const type = view.getUint16(STATX.stx_mode, true) & C.S_IFMT;
    const ino = view.getBigUint64(STATX.stx_ino, true);
    const dev = `${view.getUint32(STATX.stx_dev_major, true)}.${
      view.getUint32(STATX.stx_dev_minor, true)
    }`;
    const id = `ino:${dev}:${ino}`;
    if (type === C.S_IFIFO) return { id, kind: "pipe", label: "pipe" };
    if (type === C.S_IFSOCK) return { id, kind: "socket", label: "socket" };
    if (type === C.S_IFREG) return { id, kind: "file", label: "file" };
    return undefined; // a terminal, /dev/null, a pidfd: not an IPC object
  }

  /** Fill in `object`, `alias`, `spawned`, `target` from the call's arguments and result. */
  #resolve(r: TraceRecord, args: string): void {
    const first = args.split(",")[0]?.trim() ?? "";
    const n = parseInt(r.result, 10);
    const ok = !r.error;
    const call = r.call;

    if (call === "pipe2" || call === "socketpair") {
      const m = args.match(/\[(\d+), (\d+)\]/);
      if (!m || !ok) return;
      const [a, b] = [Number(m[1]), Number(m[2])];
      const object: TracedObject | undefined = call === "pipe2"
        ? this.#inode(a)
        : { id: `fd:${r.pid}:${a}`, kind: "socket", label: "socket pair" };
      if (!object) return;
      this.#byFd.set(a, object);
      this.#byFd.set(b, object);
      r.object = object;
      return;
    }
    if (call === "open" || call === "shm_open") {
      const path = firstQuoted(args) ?? "?";
      const inode = ok ? this.#inode(n) : undefined;
      const object: TracedObject = call === "shm_open"
        ? { id: `pshm:${path}`, kind: "shm-object", label: path }
        : {
          id: `path:${basename(path)}`,
          kind: inode?.kind === "pipe" ? "fifo" : inode?.kind ?? "file",
          label: basename(path),
        };
      // No inode alias: a file system reuses the inode of a removed FIFO for
      // the next one made (fifo-server's reply FIFOs), the name tells them apart.
      if (ok) this.#byFd.set(n, object);
      r.object = object;
      return;
    }
    if (call === "socket") {
      if (!ok) return;
      const object: TracedObject = { id: `fd:${r.pid}:${n}`, kind: "socket", label: "socket" };
      this.#byFd.set(n, object);
      r.object = object;
      return;
    }
    if (call === "bind" || call === "connect") {
      const fd = Number(first);
      const path = firstQuoted(args) ?? "?";
      const object: TracedObject = {
        id: `path:${basename(path)}`,
        kind: "socket",
        label: basename(path),
      };
      const before = this.#byFd.get(fd);
      if (before && before.id !== object.id) r.alias = before.id;
      this.#byFd.set(fd, object);
      r.object = object;
      return;
    }
    if (call === "accept4" || call === "accept") {
      const object = this.#objectOfFd(Number(first));
      if (ok && object) this.#byFd.set(n, object);
      r.object = object;
      return;
    }
    if (call === "mq_open" || call === "mq_unlink") {
      const name = firstQuoted(args) ?? "?";
      const object: TracedObject = { id: `mq:${name}`, kind: "queue", label: name };
      if (call === "mq_open" && ok) this.#byFd.set(n, object);
      r.object = object;
      return;
    }
    if (call === "shm_unlink") {
      const name = firstQuoted(args) ?? "?";
      r.object = { id: `pshm:${name}`, kind: "shm-object", label: name };
      return;
    }
    if (call.startsWith("sem_")) {
      const name = firstQuoted(args);
      if (name !== undefined) r.object = { id: `psem:${name}`, kind: "semaphore", label: name };
      return;
    }
    if (call === "mmap") {
      const fd = Number(args.split(",")[4]);
      const object = fd >= 0
        ? this.#objectOfFd(fd)
        : { id: `anon:${r.pid}:${r.result}`, kind: "segment" as const, label: "shared memory" };
      if (ok && object) this.#byAddress.set(r.result, object);
      r.object = object;
      return;
    }
    if (call === "munmap" || call === "msync" || call === "shmdt") {
      r.object = this.#byAddress.get(first);
      if (ok) this.#byAddress.delete(first);
      return;
    }
    const sysv = SYSV[call.slice(0, 3)];
    if (sysv && /_INFO\b/.test(args)) return; // the kernel's limits and totals: no one object
    if (sysv && /^(shm|sem|msg)(get|at|ctl|op|timedop|snd|rcv)$/.test(call)) {
      if (call.endsWith("get")) {
        const label = `${sysv.word} ${first}`;
        if (!ok) {
          r.object = { id: `${sysv.prefix}key:${first}`, kind: sysv.kind, label };
          return;
        }
        this.#sysvLabels.set(`${sysv.prefix}:${n}`, label);
        r.object = { id: `${sysv.prefix}:${n}`, kind: sysv.kind, label };
        if (first !== "IPC_PRIVATE") r.alias = `${sysv.prefix}key:${first}`;
        return;
      }
      const id = `${sysv.prefix}:${first}`;
      r.object = {
        id,
        kind: sysv.kind,
        label: this.#sysvLabels.get(id) ?? `${sysv.word} ${first}`,
      };
      if (call === "shmat" && ok) this.#byAddress.set(r.result, r.object);
      return;
    }
    if (call === "posix_spawnp") {
      const m = r.result.match(/\(pid (\d+)\)/);
      if (m) r.spawned = Number(m[1]);
      const inherits: { fd: number; object: TracedObject }[] = [];
      for (const d of args.matchAll(/"dup2":\[(\d+),(\d+)\]/g)) {
        const object = this.#objectOfFd(Number(d[1]));
        if (object) inherits.push({ fd: Number(d[2]), object });
      }
      if (inherits.length > 0) r.inherits = inherits;
      return;
    }
    if (call === "kill" || call === "waitpid") {
      r.target = Number(first);
      return;
    }
    if (call === "poll") {
      const m = args.match(/fd=(\d+)/);
      if (m) r.object = this.#objectOfFd(Number(m[1]));
      return;
    }
    if (FD_FIRST.has(call)) {
      const fd = Number(first);
      r.object = this.#objectOfFd(fd);
      if (call === "dup2" && ok && r.object) this.#byFd.set(n, r.object);
      if (call === "close" || call === "mq_close") this.#byFd.delete(fd);
      return;
    }
    if (call === "statx" && /^\d+$/.test(first)) {
      r.object = this.#objectOfFd(Number(first)); // fstat
      return;
    }
    const path = firstQuoted(args);
    if (path !== undefined && (call === "mkfifo" || call === "unlink" || call === "statx")) {
      r.object = {
        id: `path:${basename(path)}`,
        kind: call === "mkfifo" ? "fifo" : "file",
        label: basename(path),
      };
    }
  }
}
