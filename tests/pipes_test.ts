/**
 * Paired tests of examples/pipes: both processes of each example are real
 * OS processes; we assert what they print, their exit codes, and that they
 * leave nothing behind.
 */
import assert from "node:assert/strict";
import { childrenOf, run, start, tempDir, waitForChildOf } from "./_helpers/run.ts";
import { LeakGuard } from "./_helpers/leaks.ts";

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
    assert.equal(r.stderr, `cpipe: unterminated ${quote} in: grep ${quote}a b\n`);
    assert.equal(r.stdout, "");
    assert.equal(r.code, 1);
  }
});

Deno.test("cpipe: a program that does not exist is named in the error, exit 127", async () => {
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

Deno.test("cpipe: a stage killed mid-pipeline is reported; the next stage sees EOF; exit 128 + 9", async () => {
  await using cpipe = start("cpipe", ["sleep 600", "cat"]);
  await waitForChildOf(cpipe.pid);
  let sleeper: number | undefined;
  while (sleeper === undefined) {
    sleeper = childrenOf(cpipe.pid).find((pid) => {
      try {
        return Deno.readTextFileSync(`/proc/${pid}/comm`).trim() === "sleep";
      } catch {
        return false;
      }
    });
    if (sleeper === undefined) await new Promise((r) => setTimeout(r, 10));
  }
  Deno.kill(sleeper, "SIGKILL");
  const r = await cpipe.finish();
  assert.equal(r.stderr, "cpipe: 'sleep 600' killed by SIGKILL\n");
  assert.equal(r.stdout, "");
  assert.equal(r.code, 137);
});
