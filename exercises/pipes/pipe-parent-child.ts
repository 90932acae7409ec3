// deno-lint-ignore-file no-unused-vars
// EXERCISE 1: pipe-parent-child (seed 000, pipe_parent_child.c)
// Make the pipe, write ten ints into it, close the ends at the right moments, read them in the child.
// Replace each todo(...) with the call it describes. Check: `deno task exercise check pipe-parent-child`; a hint: `deno task exercise hint pipe-parent-child`.
import { todo } from "../../exercises/todo.ts";
/**
 * pipe-parent-child: an anonymous pipe between a parent and its child.
 *
 * Ports: the unnamed "Üst ve alt prosesler arasında isimsiz boru
 * haberleşmesi" program of seed 000 (Linux System Programming, Part 6,
 * section "İsimsiz Boruların Kullanılması").
 *
 * Demonstrates: `pipe()` gives two descriptors, [0] to read and [1] to
 * write. The parent writes the ints 0..9 (4 bytes each, native byte order)
 * and closes its write end; the child reads 4 bytes at a time until `read`
 * returns 0, which happens only when *every* write end is closed, and
 * prints `0 1 2 3 4 5 6 7 8 9`.
 *
 * Run: `deno task pipe-parent-child` (one command: the parent starts the
 * child itself). `IPC_TRACE=1 deno task pipe-parent-child` shows each
 * process's libc calls, tagged `[parent pid]` and `[child pid]`.
 *
 * Ctrl+C: the parent's `write` and the child's `read` block, as in the C
 * (a full pipe holds the parent in `write` while the child is slow or
 * stopped). That is safe here because neither process installs a signal
 * listener: SIGINT and SIGTERM keep their default action, which ends a
 * process even inside a blocking call (tests/pipes_test.ts stops the
 * child, waits until the parent sleeps in `write`, and interrupts it). A
 * program with a Ctrl+C cleanup must never block so: its listener could
 * not run (see writefifo.ts, whose writes are non-blocking).
 *
 * Where it departs from the C and why:
 * - No `fork()`. The C parent forks and the child runs the other branch of
 *   the same `main`. A JavaScript runtime cannot do that: Deno runs several
 *   threads (V8's platform workers, Tokio, the GC), and `fork()` copies only
 *   the calling thread, so the child inherits locks held by threads that no
 *   longer exist and dies at once (SIGSEGV, measured). Runtimes start
 *   children with `posix_spawn`, which runs a new program. So the port
 *   spawns a second Deno running this same file with `--child`, and a spawn
 *   *file action* `dup2(fd, fd)` makes the pipe's read end survive the exec
 *   under the same number the parent had, just as fork would have kept it.
 * - The pipe is made with `O_CLOEXEC`, so the write end is *never* in the
 *   child: the C child's `close(fds[1])` is already done by the kernel at
 *   exec. (With fork the child must close it itself, or its own write end
 *   keeps `read` from ever returning 0: the program would hang.)
 * - The child reads with a loop that completes each 4-byte integer (the C
 *   code assumes `read` never returns fewer bytes than asked); the numbers
 *   are printed space-separated without C's trailing space.
 * - The parent reports a child that failed instead of ignoring `wait`'s
 *   status, and exits non-zero then. If the child dies early, the parent's
 *   next write fails with EPIPE (the C parent would be killed by SIGPIPE,
 *   but Deno ignores SIGPIPE) and it says so; if the parent dies early, the
 *   child's EOF comes too soon and the child says so. Both exit 1.
 * - `wait(NULL)` is `await child.wait()`: `pidfd_open`, then `poll` on
 *   the pidfd in 50 ms slices, then `waitpid(pid, ..., WNOHANG)`. It is
 *   lib/process.ts's wait that never freezes the event loop (a blocking
 *   `waitpid` inside an FFI call would, and signal listeners would not
 *   run). This program has no listener, so all it changes is the extra
 *   `poll` lines in the trace. It waits for its own child, by pid, where
 *   `wait` takes any child.
 * - Beyond the original: `--count N` writes N integers instead of 10 (the
 *   child prints a one-line summary above 1000), long enough to watch the
 *   pipe fill up (`IPC_TRACE=1`) or to kill one side mid-stream.
 * - Arguments: the original ignores any it is given; the port takes only
 *   `--count N` and refuses anything else with its usage line
 *   (`usage: pipe-parent-child [--count N]`, exit 1), so a mistyped option
 *   is not silently ignored.
 *
 * Calls that differ from the C (checked by `deno task compare`):
 * - `-fork` `+posix_spawnp`: no fork in a JS runtime; the child is a new
 *   Deno, started with posix_spawnp (see above).
 * - `-pipe` `+pipe2`: the pipe is made with O_CLOEXEC (see above).
 * - `child: -close`: the child's `close(fds[1])` was done at exec by
 *   O_CLOEXEC (its `close(fds[0])` at the end is the C's).
 * - `-wait` `+waitpid` `+poll`: the parent waits for its own child by pid,
 *   polling a pidfd in 50 ms slices (see above).
 *
 * @module
 */
import {
  close,
  denoArgv,
  describeExit,
  LibcError,
  parseInteger,
  pipe,
  readFull,
  runMain,
  setTraceRole,
  spawn,
  takeOption,
  UsageError,
  write,
} from "../../lib/libc.ts";

/** Permissions the child Deno process needs (the same as ours). */
const CHILD_PERMISSIONS = ["--allow-ffi", "--allow-env=IPC_TRACE"];

/** The original writes 10 integers; `--count N` writes N (at most 2^31 - 1). */
const DEFAULT_COUNT = 10;
/** Up to this many integers the child prints them all, like the original. */
const PRINT_LIMIT = 1000;
const USAGE = "usage: pipe-parent-child [--count N]";

async function parent(count: number): Promise<number> {
  setTraceRole("parent");
  // if (pipe(fds) < 0) exitsys("pipe");
  using fds = todo<ReturnType<typeof pipe>>("create the pipe (C: pipe(fds))");
  // if ((pid = fork()) < 0) exitsys("fork");  -- see the header: spawn.
  const readFd = fds.read.fd;
  using child = spawn(
    Deno.execPath(),
    denoArgv(import.meta.url, ["--child", String(readFd), String(count)], CHILD_PERMISSIONS),
    { fileActions: [{ dup2: [readFd, readFd] }] },
  );
  // close(fds[0]);  -- the parent only writes
  todo("close the read end: the parent only writes (C: close(fds[0]))");
  // do_parent(fds[1]);
  const value = new Int32Array(1);
  const bytes = new Uint8Array(value.buffer);
  try {
    for (let i = 0; i < count; ++i) {
      value[0] = i;
      // if (write(fd, &i, sizeof(int)) < 0) exitsys("write");
      // (4 bytes, at most PIPE_BUF: a blocking write does them all at once)
      todo("write the 4 bytes of i into the pipe (C: write(fd, &i, sizeof(int)))");
    }
  } catch (e) {
    // The reader is gone. C would die of SIGPIPE here; Deno ignores
    // SIGPIPE, so write fails with EPIPE and we can say what happened.
    if (!(e instanceof LibcError) || e.code !== "EPIPE") throw e;
    fds.write.close();
    const status = await child.wait();
    console.error(
      `pipe-parent-child: the child ${describeExit(status)} before reading everything ` +
        `(${e.message}, after ${value[0]} of ${count} integers)`,
    );
    return 1;
  }
  // close(fds[1]);
  todo("close the write end: the child sees end-of-file only then (C: close(fds[1]))");
  // if (wait(NULL) < 0) exitsys("wait");
  const status = await child.wait();
  if (!status.success) {
    console.error(`pipe-parent-child: child ${describeExit(status)}`);
    return 1;
  }
  return 0;
}

function child(fdText: string | undefined, countText: string | undefined): number {
  setTraceRole("child");
  const fd = Number(fdText);
  const count = Number(countText ?? DEFAULT_COUNT);
  if (!Number.isInteger(fd) || fd < 0 || !Number.isInteger(count) || count < 0) {
    console.error("pipe-parent-child: --child needs the read end's fd number and the count");
    return 2;
  }
  // close(fds[1]);  -- nothing to do: O_CLOEXEC closed it at exec.
  // do_child(fds[0]);
  const value = new Int32Array(1);
  const bytes = new Uint8Array(value.buffer);
  const numbers: number[] = [];
  let received = 0;
  // while ((n = read(fd, &val, sizeof(int))) > 0) printf("%d ", val);
  // (readFull calls read until the 4 bytes are there: read may return fewer)
  while (
    todo<number>("read 4 bytes from the pipe into bytes (C: read(fd, &val, sizeof(int)))") ===
      4
  ) {
    if (value[0] !== received) {
      console.error(`pipe-parent-child: expected ${received}, read ${value[0]}`);
      return 1;
    }
    if (count <= PRINT_LIMIT) numbers.push(value[0]);
    received++;
  }
  // read() returned 0: every write end is closed. If the parent stopped
  // early, it died: nothing else closes its end.
  if (received !== count) {
    console.error(
      `pipe-parent-child: end of file after ${received} of ${count} integers: ` +
        "the parent is gone",
    );
    return 1;
  }
  console.log(
    count <= PRINT_LIMIT
      ? numbers.join(" ")
      : `received ${count} integers, 0..${count - 1} in order`,
  );
  // close(fds[0]);
  close(fd);
  return 0;
}

function parseCount(args: string[]): number {
  const text = takeOption(args, "count");
  if (args.length > 0) throw new UsageError(USAGE);
  if (text === undefined) return DEFAULT_COUNT;
  const count = parseInteger(text, "--count");
  if (count < 0 || count > 0x7fffffff) throw new UsageError(`--count: 0 .. 2147483647\n${USAGE}`);
  return count;
}

if (import.meta.main) {
  await runMain("pipe-parent-child", () => {
    if (Deno.args[0] === "--child") return child(Deno.args[1], Deno.args[2]);
    return parent(parseCount([...Deno.args]));
  }, { usage: USAGE });
}
