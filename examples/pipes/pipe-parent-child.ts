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
 *   status, and exits non-zero then.
 *
 * @module
 */
import {
  denoArgv,
  describeExit,
  pipe,
  readFull,
  runMain,
  setTraceRole,
  spawn,
  writeAll,
} from "../../lib/libc.ts";

/** Permissions the child Deno process needs (the same as ours). */
const CHILD_PERMISSIONS = ["--allow-ffi", "--allow-env=IPC_TRACE"];

async function parent(): Promise<number> {
  setTraceRole("parent");
  // if (pipe(fds) < 0) exitsys("pipe");
  using fds = pipe();
  // if ((pid = fork()) < 0) exitsys("fork");  -- see the header: spawn.
  const readFd = fds.read.fd;
  using child = spawn(
    Deno.execPath(),
    denoArgv(import.meta.url, ["--child", String(readFd)], CHILD_PERMISSIONS),
    { fileActions: [{ dup2: [readFd, readFd] }] },
  );
  // close(fds[0]);  -- the parent only writes
  fds.read.close();
  // do_parent(fds[1]);
  const value = new Int32Array(1);
  const bytes = new Uint8Array(value.buffer);
  for (let i = 0; i < 10; ++i) {
    value[0] = i;
    writeAll(fds.write.fd, bytes);
  }
  // close(fds[1]);  -- now the child's read() can return 0
  fds.write.close();
  // if (wait(NULL) < 0) exitsys("wait");
  const status = await child.wait();
  if (!status.success) {
    console.error(`pipe-parent-child: child ${describeExit(status)}`);
    return 1;
  }
  return 0;
}

function child(fdText: string | undefined): number {
  setTraceRole("child");
  const fd = Number(fdText);
  if (!Number.isInteger(fd) || fd < 0) {
    console.error("pipe-parent-child: --child needs the read end's fd number");
    return 2;
  }
  // close(fds[1]);  -- nothing to do: O_CLOEXEC closed it at exec.
  // do_child(fds[0]);
  const value = new Int32Array(1);
  const bytes = new Uint8Array(value.buffer);
  const numbers: number[] = [];
  while (readFull(fd, bytes) === 4) numbers.push(value[0]);
  console.log(numbers.join(" "));
  return 0;
}

if (import.meta.main) {
  await runMain("pipe-parent-child", () => {
    if (Deno.args[0] === "--child") return child(Deno.args[1]);
    if (Deno.args.length > 0) {
      console.error("usage: pipe-parent-child");
      return 1;
    }
    return parent();
  });
}
