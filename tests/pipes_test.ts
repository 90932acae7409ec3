/**
 * Paired tests of examples/pipes: both processes of each example are real
 * OS processes; we assert what they print, their exit codes, and that they
 * leave nothing behind.
 */
import "./_helpers/bind_libc.ts"; // before anything calls libc: see the module
import assert from "node:assert/strict";
import {
  childrenOf,
  HANG_DEADLINE_MS,
  run,
  start,
  tempDir,
  waitForChildOf,
} from "./_helpers/run.ts";
import { LeakGuard } from "./_helpers/leaks.ts";
import { ignoreIf, QEMU_SPAWN_ERRORS, underEmulation } from "./_helpers/ignore.ts";

Deno.test("pipe-parent-child: the child prints 0..9 and both exit 0", async () => {
  const r = await run("pipe-parent-child");
  assert.equal(r.stdout, "0 1 2 3 4 5 6 7 8 9\n");
  assert.equal(r.stderr, "");
  assert.equal(r.code, 0);
});

Deno.test("pipe-parent-child: IPC_TRACE shows both processes' calls, and the child's EOF", async () => {
  const r = await run("pipe-parent-child", [], { env: { IPC_TRACE: "1" } });
  assert.equal(r.stdout, "0 1 2 3 4 5 6 7 8 9\n");
  assert.equal(r.code, 0);
  const parentPid = r.stderr.match(/^\[parent (\d+)\] pipe2\(\[\d+, \d+\], O_CLOEXEC\) = 0$/m);
  assert.ok(parentPid, r.stderr);
  const spawned = r.stderr.match(/^\[parent \d+\] posix_spawnp\(.*\) = 0 \(pid (\d+)\)$/m);
  assert.ok(spawned, r.stderr);
  const childPid = spawned[1];
  assert.equal(
    (r.stderr.match(
      new RegExp(`^\\[parent ${parentPid[1]}\\] write\\(\\d+, <4 bytes>\\) = 4$`, "gm"),
    ) ?? [])
      .length,
    10,
  );
  // The write end really was closed in the child: its last read returned 0 (EOF).
  assert.match(
    r.stderr,
    new RegExp(`^\\[child ${childPid}\\] read\\(\\d+, <4 bytes>\\) = 0$`, "m"),
  );
  assert.match(r.stderr, new RegExp(`waitpid\\(${childPid}, \\[exited with code 0\\]`));
});

Deno.test("pipe-parent-child: extra arguments or a bad --count print the usage and exit 1", async () => {
  const r = await run("pipe-parent-child", ["x"]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "usage: pipe-parent-child [--count N]\n");
  for (const count of ["-1", "x", "2147483648"]) {
    const r2 = await run("pipe-parent-child", ["--count", count]);
    assert.equal(r2.code, 1);
    assert.match(r2.stderr, /^--count: /);
  }
});

Deno.test("pipe-parent-child --count: a long stream arrives whole and in order", async () => {
  const r = await run("pipe-parent-child", ["--count", "100000"]);
  assert.equal(r.stdout, "received 100000 integers, 0..99999 in order\n");
  assert.equal(r.code, 0);
});

Deno.test("pipe-parent-child: the child killed mid-stream: the parent gets EPIPE, says so, exits 1", async () => {
  await using parent = start("pipe-parent-child", ["--count", "2147483647"]);
  const childPid = await waitForChildOf(parent.pid);
  Deno.kill(childPid, "SIGKILL");
  const r = await parent.finish();
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /^pipe-parent-child: the child killed by SIGKILL before reading everything \(write: EPIPE \(Broken pipe\), after \d+ of 2147483647 integers\)\n$/,
  );
});

/** Gone, or a zombie waiting for init to reap it (an orphan's parent died). */
function hasEnded(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

Deno.test("pipe-parent-child: the parent killed mid-stream: the child's EOF comes early, it says so, exits 1", async () => {
  await using parent = start("pipe-parent-child", ["--count", "2147483647"]);
  const childPid = await waitForChildOf(parent.pid);
  parent.kill("SIGKILL");
  // The child shares the parent's stdout/stderr pipes: finish() returns when it is done too.
  const r = await parent.finish();
  assert.equal(r.signal, "SIGKILL");
  assert.match(
    r.stderr,
    /pipe-parent-child: end of file after \d+ of 2147483647 integers: the parent is gone\n/,
  );
  assert.ok(hasEnded(childPid), "the child has ended");
});

Deno.test("cpipe ls wc prints what `ls | wc` prints in the user's directory", async () => {
  await using dir = await tempDir();
  for (const name of ["a.txt", "b.txt", "çalışma"]) {
    await Deno.writeTextFile(`${dir.path}/${name}`, "x");
  }
  const guard = new LeakGuard({ dir: dir.path });
  const shell = await new Deno.Command("sh", { args: ["-c", "ls | wc"], cwd: dir.path }).output();
  const r = await run("cpipe", ["ls", "wc"], { cwd: dir.path });
  assert.equal(r.stdout, new TextDecoder().decode(shell.stdout));
  assert.match(r.stdout, /^\s+3\s+3\s+/);
  assert.equal(r.stderr, "");
  assert.equal(r.code, 0);
  guard.check();
});

Deno.test("cpipe: arguments with their own arguments and three stages", async () => {
  await using dir = await tempDir();
  for (const name of ["one.ts", "two.ts", "three.md"]) {
    await Deno.writeTextFile(`${dir.path}/${name}`, "");
  }
  const r = await run("cpipe", ["ls -1", "grep '\\.ts$'", "wc -l"], { cwd: dir.path });
  assert.equal(r.stdout.trim(), "2");
  assert.equal(r.code, 0);
});

Deno.test("cpipe: wrong number of arguments prints the original's message, exit 1", async () => {
  for (const args of [[], ["ls"]]) {
    const r = await run("cpipe", args);
    assert.equal(r.stderr, "wrong number of arguments!..\n");
    assert.equal(r.stdout, "");
    assert.equal(r.code, 1);
  }
});

Deno.test("cpipe: an argument with an unterminated quote is a cpipe error, exit 1, nothing run", async () => {
  for (const quote of ["'", '"']) {
    // The last stage writes to our stdout: had it been started, "ran" would be there.
    const r = await run("cpipe", [`grep ${quote}a b`, "echo ran"]);
    // The error, then the usage (a bad argument: lib/args.ts runMain)
    assert.match(r.stderr, /\nusage: cpipe PROGRAM PROGRAM \[PROGRAM\.\.\.\]/);
    assert.equal(r.stderr.split("\n")[0], `cpipe: unterminated ${quote} in: grep ${quote}a b`);
    assert.equal(r.stderr.split("\n").length, 3, r.stderr); // those two lines, nothing else
    assert.equal(r.stdout, "");
    assert.equal(r.code, 1);
  }
});

const CPIPE_MISSING = "cpipe: a program that does not exist is named in the error, exit 127";
Deno.test({
  name: CPIPE_MISSING,
  ignore: ignoreIf(CPIPE_MISSING, underEmulation(QEMU_SPAWN_ERRORS)),
}, async () => {
  const r = await run("cpipe", ["no-such-program-ipc-lab", "wc"]);
  assert.equal(
    r.stderr,
    "cpipe: cannot run 'no-such-program-ipc-lab': ENOENT (No such file or directory)\n",
  );
  assert.equal(r.code, 127);
  const r2 = await run("cpipe", ["echo hi", "no-such-program-ipc-lab"]);
  assert.match(r2.stderr, /cannot run 'no-such-program-ipc-lab': ENOENT/);
  assert.equal(r2.code, 127);
});

Deno.test("cpipe yes 'head -1' ends like the shell: yes killed by SIGPIPE, no 'Broken pipe'", async () => {
  const r = await run("cpipe", ["yes", "head -1"], { env: { IPC_TRACE: "1" } });
  assert.equal(r.stdout, "y\n");
  assert.doesNotMatch(r.stderr, /Broken pipe/);
  assert.match(r.stderr, /waitpid\(\d+, \[killed by SIGPIPE\]/);
  assert.equal(r.code, 0);
});

Deno.test("cpipe: the exit code is the last stage's, like a shell", async () => {
  const r = await run("cpipe", ["true", "false"]);
  assert.equal(r.code, 1);
  const r2 = await run("cpipe", ["false", "true"]);
  assert.equal(r2.code, 0);
});

/** The pid of the child of `parent` whose command is `comm`, once it runs (polls /proc). */
async function childNamed(parent: number, comm: string): Promise<number> {
  await waitForChildOf(parent);
  const deadline = Date.now() + HANG_DEADLINE_MS;
  for (;;) {
    const found = childrenOf(parent).find((pid) => {
      try {
        return Deno.readTextFileSync(`/proc/${pid}/comm`).trim() === comm;
      } catch {
        return false;
      }
    });
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`process ${parent} has no child ${comm}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test("cpipe: a stage killed mid-pipeline is reported; the next stage sees EOF; exit 128 + 9", async () => {
  await using cpipe = start("cpipe", ["sleep 600", "cat"]);
  Deno.kill(await childNamed(cpipe.pid, "sleep"), "SIGKILL");
  const r = await cpipe.finish();
  assert.equal(r.stderr, "cpipe: 'sleep 600' killed by SIGKILL\n");
  assert.equal(r.stdout, "");
  assert.equal(r.code, 137);
});

// ------------------------------------------ the other side going away, Ctrl+C
//
// Rows of examples/pipes/README.md "When the other side goes away". A
// process is held at a wait by stopping its peer (SIGSTOP) and watching
// /proc/PID/wchan (the kernel function it sleeps in); nothing is timed.

/** Wait until the main thread of `pid` sleeps in a kernel function matching `wchan`. */
async function waitUntilSleepingIn(pid: number, wchan: RegExp): Promise<void> {
  const deadline = Date.now() + HANG_DEADLINE_MS;
  for (;;) {
    let now = "";
    try {
      now = Deno.readTextFileSync(`/proc/${pid}/wchan`);
    } catch {
      // ended: reported below
    }
    if (wchan.test(now)) return;
    if (Date.now() > deadline) throw new Error(`process ${pid} never slept in ${wchan}: ${now}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Wait until `pid` has ended (see hasEnded); fails after HANG_DEADLINE_MS. */
async function waitUntilEnded(pid: number): Promise<void> {
  const deadline = Date.now() + HANG_DEADLINE_MS;
  while (!hasEnded(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} did not end`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test("pipe-parent-child: Ctrl+C ends the parent blocked in write on a full pipe; the child's EOF comes early, it says so", async () => {
  await using parent = start("pipe-parent-child", ["--count", "2147483647"]);
  const childPid = await waitForChildOf(parent.pid);
  Deno.kill(childPid, "SIGSTOP"); // it reads nothing: the pipe fills up
  try {
    await waitUntilSleepingIn(parent.pid, /pipe_write/);
    parent.kill("SIGINT");
    // No signal listener in this program: SIGINT's default action ends it inside write.
    await waitUntilEnded(parent.pid);
  } catch (e) {
    Deno.kill(childPid, "SIGKILL"); // stopped, it would never end
    throw e;
  }
  Deno.kill(childPid, "SIGCONT");
  const r = await parent.finish(); // the child shares its stdout/stderr: it has ended too
  assert.equal(r.signal, "SIGINT");
  assert.match(
    r.stderr,
    /pipe-parent-child: end of file after \d+ of 2147483647 integers: the parent is gone\n/,
  );
  assert.ok(hasEnded(childPid), "the child has ended");
});

Deno.test("pipe-parent-child: the child Ctrl+C'd while it waits in read: the parent gets EPIPE, names SIGINT, exits 1", async () => {
  await using parent = start("pipe-parent-child", ["--count", "2147483647"]);
  const childPid = await waitForChildOf(parent.pid);
  parent.kill("SIGSTOP"); // it writes nothing: the child empties the pipe and waits
  await waitUntilSleepingIn(childPid, /pipe_read/);
  Deno.kill(childPid, "SIGINT");
  await waitUntilEnded(childPid);
  parent.kill("SIGCONT");
  const r = await parent.finish();
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /^pipe-parent-child: the child killed by SIGINT before reading everything \(write: EPIPE \(Broken pipe\), after \d+ of 2147483647 integers\)\n$/,
  );
});

Deno.test("cpipe: the last stage killed: the stage writing to it dies of SIGPIPE as in a shell (not reported); exit 128 + 9", async () => {
  await using cpipe = start("cpipe", ["yes", "sleep 600"], { env: { IPC_TRACE: "1" } });
  Deno.kill(await childNamed(cpipe.pid, "sleep"), "SIGKILL");
  const r = await cpipe.finish();
  const said = r.stderr.split("\n").filter((l) => l !== "" && !/^\[\S+ \d+\] /.test(l));
  assert.deepEqual(said, ["cpipe: 'sleep 600' killed by SIGKILL"]);
  assert.match(r.stderr, /waitpid\(\d+, \[killed by SIGPIPE\]/); // yes, as `yes | sleep 600` in sh
  assert.equal(r.stdout, "");
  assert.equal(r.code, 137);
});
