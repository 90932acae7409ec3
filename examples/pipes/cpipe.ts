/**
 * cpipe: how a shell builds `a | b`.
 *
 * Ports: the "exec'li boru işlemi (shell boru işlemlerini nasıl
 * yapmaktadır?)" program of seed 000, usage `cpipe <prog1> <prog2>`.
 *
 * Demonstrates: one pipe and two children. Child 1's stdout is `dup2`'d
 * onto the pipe's write end, child 2's stdin onto its read end; then each
 * `exec`s its program, which believes it writes to the screen / reads the
 * keyboard. The parent closes both ends (or child 2 would never see EOF)
 * and waits for child 1, then child 2. `cpipe ls wc` prints what `ls | wc`
 * prints.
 *
 * Run: `deno task cpipe ls wc`, or with arguments and more stages:
 * `deno task cpipe "ls -l" "grep ts" "wc -l"`. Under `deno task` the
 * programs run in the directory you called it from (`INIT_CWD`).
 *
 * Where it departs from the C and why:
 * - No `fork()` + `dup2()` + `execlp()`: a JavaScript runtime cannot fork
 *   (see examples/pipes/pipe-parent-child.ts). `posix_spawnp` does the same
 *   three steps in one call: the child's `dup2` is a *file action* run in
 *   the child just before exec, and the PATH lookup is `execlp`'s.
 * - The pipe is made with `O_CLOEXEC`: the C children's `close(fd)` after
 *   `dup2` happens by itself at exec (dup2 onto 0/1 clears the flag on the
 *   copy), and no unrelated child can inherit a stray end.
 * - Children get SIGPIPE back at its default (Deno ignores it, and an
 *   ignored signal survives exec): `cpipe yes "head -1"` ends like the shell
 *   pipeline, `yes` killed by SIGPIPE instead of printing "Broken pipe".
 * - Under `deno task` the process runs in the project's root, so each child
 *   gets a `chdir` file action to the directory you called it from
 *   (`INIT_CWD`); the C children simply inherit the C parent's directory.
 * - `waitpid(pid, NULL, 0)` is `await child.wait()`: `pidfd_open`, then
 *   `poll` on the pidfd in 50 ms slices, then `waitpid(pid, ..., WNOHANG)`.
 *   It is lib/process.ts's wait that never freezes the event loop (a
 *   blocking `waitpid` inside an FFI call would, and signal listeners would
 *   not run). This program has no listener, so all it changes is the extra
 *   `poll` lines in the trace; the children are still waited for one after
 *   the other, in order, and their status is read (the C passes NULL).
 * - A program that cannot be run is reported by the parent
 *   (`cpipe: cannot run 'nope': ENOENT (No such file or directory)`, exit
 *   127 like a shell); with fork the child's `execlp` reported it.
 * - Beyond the original: each argument may carry its own arguments
 *   (`"wc -l"`, split like a shell would, quotes honoured), and more than
 *   two stages may be given. The exit code is the last stage's, as in a
 *   shell (128 + n when it was killed by signal n); the original always
 *   returned 0. A stage killed by a signal other than SIGPIPE (which is how
 *   writers normally end) is reported on stderr, like bash's "Killed", and
 *   makes the exit code 128 + n.
 * - An argument that names no program (`""`, only spaces) or has an
 *   unterminated quote is refused before anything starts (exit 1); the
 *   original forks for it and its child's `execlp("")` fails
 *   (`execlp: No such file or directory`), while the other program runs.
 *
 * Calls that differ from the C (checked by `deno task compare`):
 * - `-fork` `+posix_spawnp`: no fork in a JS runtime; each child is
 *   started with posix_spawnp (see above).
 * - `child: -dup2` `child: -close` `child: -execlp`: what the C children
 *   do before exec is done inside posix_spawnp (its dup2 file action,
 *   O_CLOEXEC, the PATH lookup), so the port has no such processes.
 * - `-pipe` `+pipe2`: the pipe is made with O_CLOEXEC (see above).
 * - `+poll`: each child is waited for by polling a pidfd in 50 ms slices
 *   (see above).
 *
 * @module
 */
import {
  type ChildProcess,
  describeExit,
  type FileAction,
  invocationDirectory,
  LibcError,
  type Pipe,
  pipe,
  runMain,
  setTraceRole,
  spawn,
  splitCommand,
  UsageError,
} from "../../lib/libc.ts";

const USAGE =
  `usage: cpipe PROGRAM PROGRAM [PROGRAM...]   (a program with its arguments is one word: ` +
  `cpipe "ls -l" "wc -l")`;

async function main(args: string[]): Promise<number> {
  setTraceRole("cpipe");
  // if (argc != 3) { fprintf(stderr, "wrong number of arguments!..\n"); ... }
  // (the original's message alone, as the C prints it; --help gives the usage)
  if (args.length < 2) {
    throw new UsageError("wrong number of arguments!..", 1, { withUsage: false });
  }
  const commands = args.map((arg) => {
    try {
      return splitCommand(arg);
    } catch (e) {
      // "unterminated ' in: ...": a cpipe error like the others
      if (e instanceof UsageError) throw new UsageError(`cpipe: ${e.message}`);
      throw e;
    }
  });
  const empty = commands.findIndex((words) => words.length === 0);
  if (empty !== -1) {
    throw new UsageError(`cpipe: argument ${empty + 1} names no program`);
  }

  const directory = invocationDirectory();
  // if (pipe(fds) < 0) exitsys("pipe");  -- one pipe between each two stages
  const pipes: Pipe[] = [];
  const children: ChildProcess[] = [];
  let failure: string | undefined;
  try {
    for (let i = 0; i < commands.length - 1; i++) pipes.push(pipe());
    for (let i = 0; i < commands.length; i++) {
      // if ((pidChild1 = fork()) < 0) exitsys("fork");  -- no fork: what each child
      // does before exec, posix_spawnp does from these file actions (see the header)
      const actions: FileAction[] = [];
      if (directory !== ".") actions.push({ chdir: directory });
      // do_child2: if (dup2(fd, STDIN_FILENO) < 0) exitsys("dup2"); close(fd);
      if (i > 0) actions.push({ dup2: [pipes[i - 1].read.fd, 0] });
      // do_child1: if (dup2(fd, STDOUT_FILENO) < 0) exitsys("dup2"); close(fd);
      // (the close: O_CLOEXEC closes fd at exec; dup2's copy on 0/1 stays open)
      if (i < commands.length - 1) actions.push({ dup2: [pipes[i].write.fd, 1] });
      // if (execlp(path, path, (char *) NULL) < 0) exitsys("execlp");
      const [program] = commands[i];
      try {
        children.push(spawn(program, commands[i], { fileActions: actions }));
      } catch (e) {
        if (!(e instanceof LibcError)) throw e;
        failure = `cpipe: cannot run '${program}': ${e.code} (${e.description})`;
        break;
      }
    }
  } finally {
    // close(fds[0]); close(fds[1]);  -- else the last reader never sees EOF
    for (const p of pipes) {
      p.read.close();
      p.write.close();
    }
  }

  // waitpid(pidChild1, NULL, 0); waitpid(pidChild2, NULL, 0);
  let last = 0;
  let killed = 0;
  for (const [i, child] of children.entries()) {
    const status = await child.wait();
    last = status.code ?? 128 + (status.signal ?? 0);
    // SIGPIPE is how a writer normally ends when its reader is done
    // (`yes | head -1`); any other signal is news, as bash's "Killed" is.
    if (status.signal !== null && status.signalName !== "SIGPIPE") {
      console.error(`cpipe: '${args[i]}' ${describeExit(status)}`);
      killed ||= 128 + status.signal;
    }
  }
  if (failure !== undefined) {
    console.error(failure);
    return 127;
  }
  return killed || last;
}

if (import.meta.main) {
  await runMain("cpipe", () => main([...Deno.args]), { usage: USAGE });
}
