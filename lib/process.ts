/**
 * Starting and waiting for processes without `fork()`.
 *
 * Why no fork: a JavaScript runtime is multi-threaded (V8 platform workers,
 * the Tokio runtime, the garbage collector). `fork()` copies only the
 * calling thread; the child inherits locks held by threads that no longer
 * exist and dies at once (we measured SIGSEGV through FFI, even with V8's
 * single-threaded flags). Runtimes therefore start processes the way
 * `posix_spawn(3)` does: the child is created and immediately `exec`s a new
 * program, after applying a list of *file actions* (`dup2`, `close`,
 * `chdir`) in the child. That is exactly the part of the classic
 * `fork(); dup2(); exec();` idiom that a shell needs for `a | b`.
 *
 * Two traps handled here:
 * - `environ` is a static: Deno hands back `&environ`, which we dereference
 *   at spawn time, or the child gets a garbage environment.
 * - Deno ignores SIGPIPE, and ignored signals survive `exec`: a child would
 *   print "Broken pipe" instead of dying quietly as in a shell. A spawn
 *   attribute puts SIGPIPE back to its default and clears the signal mask.
 *
 * @module
 */
import { libc } from "./ffi/libc_ffi.ts";
import { currentErrno, Errno, LibcError } from "./errno.ts";
import { failed, waitFor } from "./fd.ts";
import { cString } from "./cstring.ts";
import { POLL, SIG, SIGNAL_NAMES, WNOHANG } from "./constants.ts";
import { asDisposer, quoted, traceLine, TRACING } from "./trace.ts";
import { ABI } from "./abi.ts";

/** sizeof(posix_spawn_file_actions_t). */
const FILE_ACTIONS_SIZE = ABI.struct.posix_spawn_file_actions_t.sizeof;
/** sizeof(posix_spawnattr_t). */
const SPAWNATTR_SIZE = ABI.struct.posix_spawnattr_t.sizeof;
/** sizeof(sigset_t). */
const SIGSET_SIZE = ABI.struct.sigset_t.sizeof;
const POSIX_SPAWN_SETSIGDEF = ABI.const.POSIX_SPAWN_SETSIGDEF;
const POSIX_SPAWN_SETSIGMASK = ABI.const.POSIX_SPAWN_SETSIGMASK;

/** One thing the child does between being created and `exec`. */
export type FileAction =
  | { dup2: [from: number, to: number] }
  | { close: number }
  | { chdir: string };

/** Options of {@link spawn}. */
export interface SpawnOptions {
  /** Done in order in the child before `exec` (fork's "child branch"). */
  fileActions?: FileAction[];
  /** Role name shown in trace lines of this call. */
  role?: string;
}

/** How a child ended, decoded from the `waitpid` status word. */
export interface ExitStatus {
  /** The exit code when the child called `exit`, else `null`. */
  code: number | null;
  /** The signal number when a signal killed it, else `null`. */
  signal: number | null;
  /** `SIGPIPE`, `SIGKILL`... when killed by a signal. */
  signalName: string | null;
  /** True when the kernel wrote a core dump. */
  coreDumped: boolean;
  /** `code === 0`. */
  success: boolean;
}

/**
 * Decode a raw `waitpid` status: `sig = s & 0x7f`; 0 means exited with
 * `(s >> 8) & 0xff`; otherwise killed by `sig` (core dumped if `s & 0x80`).
 *
 * @example
 * ```ts
 * import { decodeWaitStatus } from "./process.ts";
 * decodeWaitStatus(0x0100).code;   // 1
 * decodeWaitStatus(13).signalName; // "SIGPIPE"
 * ```
 */
export function decodeWaitStatus(status: number): ExitStatus {
  const sig = status & 0x7f;
  if (sig === 0) {
    const code = (status >> 8) & 0xff;
    return {
      code,
      signal: null,
      signalName: null,
      coreDumped: false,
      success: code === 0,
    };
  }
  return {
    code: null,
    signal: sig,
    signalName: SIGNAL_NAMES[sig] ?? `signal ${sig}`,
    coreDumped: (status & 0x80) !== 0,
    success: false,
  };
}

/**
 * Describe an exit status the way a shell user would say it.
 *
 * @example
 * ```ts
 * import { describeExit, decodeWaitStatus } from "./process.ts";
 * describeExit(decodeWaitStatus(9)); // "killed by SIGKILL"
 * ```
 */
export function describeExit(status: ExitStatus): string {
  if (status.code !== null) return `exited with code ${status.code}`;
  return `killed by ${status.signalName}${status.coreDumped ? " (core dumped)" : ""}`;
}

/**
 * A child process started by {@link spawn}. Wait for it with `await
 * child.wait()` (signal-friendly: it polls a pidfd in short slices) or
 * `waitSync()`. Leaving a `using` block without waiting kills (SIGKILL) and
 * reaps it, so no child outlives its owner by accident.
 *
 * @example
 * ```ts
 * import { spawn } from "./process.ts";
 * using child = spawn("true", ["true"]);
 * console.log((await child.wait()).code); // 0
 * ```
 */
export class ChildProcess implements Disposable {
  /** The child's process id. */
  readonly pid: number;
  #status: ExitStatus | undefined;
  #pidfd: number;

  /** Wrap an already-started child `pid` (ours to reap). */
  constructor(pid: number) {
    this.pid = pid;
    // A pidfd becomes readable when the process exits: something poll(2)
    // can wait on, unlike a pid.
    this.#pidfd = libc.pidfd_open(pid, 0);
  }

  /** The exit status once reaped, else `undefined`. */
  get status(): ExitStatus | undefined {
    return this.#status;
  }

  #reap(options: number): ExitStatus | undefined {
    if (this.#status) return this.#status;
    const status = new Int32Array(1);
    for (;;) {
      const r = libc.waitpid(this.pid, new Uint8Array(status.buffer), options);
      if (r === -1) {
        if (currentErrno() === Errno.EINTR) continue;
        failed("waitpid", `waitpid(${this.pid}, ..., ${options})`);
      }
      if (r === 0) return undefined; // WNOHANG: still running
      break;
    }
    this.#status = decodeWaitStatus(status[0]);
    if (TRACING) {
      traceLine(
        `waitpid(${this.pid}, [${describeExit(this.#status)}], ${options})`,
        String(this.pid),
      );
    }
    this.#closePidfd();
    return this.#status;
  }

  #closePidfd(): void {
    if (this.#pidfd >= 0) {
      libc.close(this.#pidfd);
      this.#pidfd = -1;
    }
  }

  /**
   * Wait for the child to end without freezing the event loop (signal
   * listeners keep working), then reap it. Waits on this pid only, never
   * on -1, so other libraries' children are not stolen.
   */
  async wait(): Promise<ExitStatus> {
    for (;;) {
      const done = this.#reap(WNOHANG);
      if (done) return done;
      if (this.#pidfd >= 0) await waitFor(this.#pidfd, POLL.IN);
      else await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Block (freezing the isolate) until the child ends, then reap it. */
  waitSync(): ExitStatus {
    return this.#reap(0)!;
  }

  /** Reap the child if it has ended; `undefined` if it is still running. */
  tryWait(): ExitStatus | undefined {
    return this.#reap(WNOHANG);
  }

  /** Send `signal` (default SIGTERM) unless the child was already reaped. */
  kill(signal: number = SIG.TERM): void {
    if (this.#status) return;
    if (libc.kill(this.pid, signal) === -1) {
      if (currentErrno() === Errno.ESRCH) return;
      failed("kill", `kill(${this.pid}, ${signal})`);
    }
    if (TRACING) traceLine(`kill(${this.pid}, ${signal})`, "0");
  }

  /** Kill (SIGKILL) and reap the child if it was not waited for. */
  [Symbol.dispose](): void {
    asDisposer(() => {
      if (!this.#status) {
        this.kill(SIG.KILL);
        this.waitSync();
      }
      this.#closePidfd();
    });
  }
}

function environPointer(): Deno.PointerValue {
  // LIBC_SYMBOLS.environ is { type: "pointer" }: Deno gives &environ.
  return new Deno.UnsafePointerView(libc.environ!).getPointer(0);
}

function check(call: string, r: number): void {
  if (r !== 0) throw new LibcError(call, r);
}

/**
 * Start `file` (looked up in PATH like `execlp`) with `argv` through
 * `posix_spawnp(3)`, applying `fileActions` in the child first. The child
 * gets this process's environment and the default SIGPIPE disposition.
 * A program that cannot be run throws `posix_spawnp nope: ENOENT (...)`.
 *
 * @example
 * ```ts
 * import { pipe, spawn } from "./libc.ts";
 * using p = pipe();
 * // ls's stdout becomes the pipe's write end, as in `ls | ...`
 * using ls = spawn("ls", ["ls"], { fileActions: [{ dup2: [p.write.fd, 1] }] });
 * p.write.close();
 * await ls.wait();
 * ```
 */
export function spawn(
  file: string,
  argv: string[],
  options: SpawnOptions = {},
): ChildProcess {
  const actions = new Uint8Array(FILE_ACTIONS_SIZE);
  const attr = new Uint8Array(SPAWNATTR_SIZE);
  const keepAlive: Uint8Array[] = [];
  check(
    "posix_spawn_file_actions_init",
    libc.posix_spawn_file_actions_init(actions),
  );
  check("posix_spawnattr_init", libc.posix_spawnattr_init(attr));
  try {
    for (const action of options.fileActions ?? []) {
      if ("dup2" in action) {
        // dup2(fd, fd) in a file action clears FD_CLOEXEC (glibc >= 2.29),
        // which is how a child inherits an fd under the same number.
        check(
          "posix_spawn_file_actions_adddup2",
          libc.posix_spawn_file_actions_adddup2(
            actions,
            action.dup2[0],
            action.dup2[1],
          ),
        );
      } else if ("close" in action) {
        check(
          "posix_spawn_file_actions_addclose",
          libc.posix_spawn_file_actions_addclose(actions, action.close),
        );
      } else {
        const dir = cString(action.chdir);
        keepAlive.push(dir);
        check(
          "posix_spawn_file_actions_addchdir_np",
          libc.posix_spawn_file_actions_addchdir_np(actions, dir),
        );
      }
    }
    // SIGPIPE back to default, empty signal mask in the child.
    const sigdefault = new Uint8Array(SIGSET_SIZE);
    const sigmask = new Uint8Array(SIGSET_SIZE);
    libc.sigemptyset(sigdefault);
    libc.sigaddset(sigdefault, SIG.PIPE);
    libc.sigemptyset(sigmask);
    check(
      "posix_spawnattr_setsigdefault",
      libc.posix_spawnattr_setsigdefault(attr, sigdefault),
    );
    check(
      "posix_spawnattr_setsigmask",
      libc.posix_spawnattr_setsigmask(attr, sigmask),
    );
    check(
      "posix_spawnattr_setflags",
      libc.posix_spawnattr_setflags(
        attr,
        POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK,
      ),
    );

    // argv: a NULL-terminated array of pointers to C strings. The strings
    // must stay alive (referenced) until posix_spawnp returns.
    const args = argv.map(cString);
    const argvArray = new BigUint64Array(args.length + 1);
    args.forEach((s, i) => {
      argvArray[i] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(s)));
    });
    const fileBytes = cString(file);
    const pidOut = new Int32Array(1);
    const err = libc.posix_spawnp(
      new Uint8Array(pidOut.buffer),
      fileBytes,
      actions,
      attr,
      new Uint8Array(argvArray.buffer),
      environPointer(),
    );
    keepAlive.push(fileBytes, ...args);
    const shown = `posix_spawnp(${quoted(file)}, [${argv.map(quoted).join(", ")}]${
      options.fileActions?.length ? `, actions=${JSON.stringify(options.fileActions)}` : ""
    })`;
    if (err !== 0) {
      // posix_spawnp returns the error number itself; errno is not used.
      const error = new LibcError("posix_spawnp", err, file);
      if (TRACING) traceLine(shown, `${error.code} (${error.description})`);
      throw error;
    }
    if (TRACING) traceLine(shown, `0 (pid ${pidOut[0]})`);
    return new ChildProcess(pidOut[0]);
  } finally {
    libc.posix_spawn_file_actions_destroy(actions);
    libc.posix_spawnattr_destroy(attr);
    keepAlive.length = 0;
  }
}

/**
 * `getpid(2)`.
 *
 * @example
 * ```ts
 * import { getpid } from "./process.ts";
 * console.log(getpid());
 * ```
 */
export function getpid(): number {
  return libc.getpid();
}

/**
 * `kill(2)` a pid with a signal number.
 *
 * @example
 * ```ts
 * import { killProcess, SIG } from "./libc.ts";
 * killProcess(12345, SIG.TERM);
 * ```
 */
export function killProcess(pid: number, signal: number): void {
  if (libc.kill(pid, signal) === -1) failed("kill", `kill(${pid}, ${signal})`);
  if (TRACING) traceLine(`kill(${pid}, ${signal})`, "0");
}

/**
 * Whether process `pid` exists: `kill(pid, 0)`, which sends nothing and
 * only checks. ESRCH means gone; EPERM means alive but someone else's.
 *
 * @example
 * ```ts
 * import { getpid, processAlive } from "./process.ts";
 * processAlive(getpid()); // true
 * ```
 */
export function processAlive(pid: number): boolean {
  try {
    killProcess(pid, 0);
    return true;
  } catch (e) {
    if (e instanceof LibcError && e.errno === Errno.ESRCH) return false;
    if (e instanceof LibcError && e.errno === Errno.EPERM) return true;
    throw e;
  }
}

/**
 * The argv that runs another TypeScript program of this suite in a fresh
 * Deno process: `[deno, "run", ...permissions, script, ...args]`. The way
 * a port starts "the child" that C would have forked.
 *
 * @example
 * ```ts
 * import { denoArgv, spawn } from "./libc.ts";
 * const argv = denoArgv(new URL(import.meta.url), ["--child"], ["--allow-ffi"]);
 * using child = spawn(argv[0], argv);
 * ```
 */
export function denoArgv(
  script: URL | string,
  args: string[],
  permissions: string[],
): string[] {
  const url = script instanceof URL
    ? script
    : script.startsWith("file:")
    ? new URL(script)
    : undefined;
  const path = url ? decodeURIComponent(url.pathname) : (script as string);
  return [Deno.execPath(), "run", "--quiet", ...permissions, path, ...args];
}
