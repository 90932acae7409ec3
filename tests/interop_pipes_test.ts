/**
 * Interop of the pipe examples: the C originals (examples/pipes/*.c, built
 * with cc and run as at a terminal) and their ports print the same thing
 * for the same input, and fail the same way on bad arguments. Where a port
 * deliberately differs, the difference is asserted and named (each one is
 * documented in the port's header, "Where it departs from the C and why").
 */
import "./_helpers/bind_libc.ts"; // before anything calls libc: see the module
import assert from "node:assert/strict";
import { run, startC, tempDir } from "./_helpers/run.ts";
import { LeakGuard } from "./_helpers/leaks.ts";
import { buildOriginal } from "../scripts/c_originals.ts";

/** Run a C original in `cwd` to the end (stdin closed at once: these read none). */
async function runC(label: string, exe: string, args: string[], cwd: string) {
  await using p = startC(label, exe, args, { cwd });
  await p.closeStdin();
  return await p.finish();
}

/** The integers of a line such as `0 1 2 `. */
function numbers(line: string): number[] {
  return line.trim().split(/\s+/).map(Number);
}

Deno.test("interop pipe_parent_child: C and port print the same numbers 0..9 and exit 0 (the port without C's trailing space)", async () => {
  const exe = await buildOriginal("pipe_parent_child");
  await using dir = await tempDir("ipc-lab-interop-pipes-");
  using guard = new LeakGuard({ dir: dir.path });
  const [c, port] = await Promise.all([
    runC("pipe_parent_child (C)", exe, [], dir.path),
    run("pipe-parent-child", [], { cwd: dir.path }),
  ]);
  // The C child's printf("%d ", val) leaves a space before the newline.
  assert.deepEqual([c.stdout, c.stderr, c.code], ["0 1 2 3 4 5 6 7 8 9 \n", "", 0]);
  // Documented departure: "the numbers are printed space-separated without C's trailing space".
  assert.deepEqual([port.stdout, port.stderr, port.code], ["0 1 2 3 4 5 6 7 8 9\n", "", 0]);
  assert.deepEqual(numbers(port.stdout), numbers(c.stdout));
  assert.deepEqual(numbers(c.stdout), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  guard.check();
});

Deno.test("interop pipe_parent_child: an argument: the C ignores it, the port refuses it with its usage (documented)", async () => {
  const exe = await buildOriginal("pipe_parent_child");
  await using dir = await tempDir("ipc-lab-interop-pipes-");
  using guard = new LeakGuard({ dir: dir.path });
  const [c, port] = await Promise.all([
    runC("pipe_parent_child x (C)", exe, ["x"], dir.path),
    run("pipe-parent-child", ["x"], { cwd: dir.path }),
  ]);
  assert.deepEqual([c.stdout, c.code], ["0 1 2 3 4 5 6 7 8 9 \n", 0]);
  assert.deepEqual(
    [port.stdout, port.stderr, port.code],
    ["", "usage: pipe-parent-child [--count N]\n", 1],
  );
  guard.check();
});

Deno.test("interop cpipe ls wc: C and port print what `ls | wc` prints in the same directory, exit 0", async () => {
  const exe = await buildOriginal("cpipe");
  await using dir = await tempDir("ipc-lab-interop-pipes-");
  for (const name of ["a.txt", "b.txt", "notes.md", "çalışma"]) {
    await Deno.writeTextFile(`${dir.path}/${name}`, "x");
  }
  using guard = new LeakGuard({ dir: dir.path });
  const [shell, c, port] = await Promise.all([
    new Deno.Command("sh", { args: ["-c", "ls | wc"], cwd: dir.path, stderr: "inherit" }).output(),
    runC("cpipe ls wc (C)", exe, ["ls", "wc"], dir.path),
    run("cpipe", ["ls", "wc"], { cwd: dir.path }),
  ]);
  const expected = new TextDecoder().decode(shell.stdout);
  assert.match(expected, /^\s+4\s+4\s+/);
  assert.deepEqual([c.stdout, c.stderr, c.code], [expected, "", 0]);
  assert.deepEqual([port.stdout, port.stderr, port.code], [expected, "", 0]);
  guard.check();
});

Deno.test("interop cpipe: a wrong number of arguments: the same message on stderr and exit 1 from C and port", async () => {
  const exe = await buildOriginal("cpipe");
  await using dir = await tempDir("ipc-lab-interop-pipes-");
  using guard = new LeakGuard({ dir: dir.path });
  const cases = [[], ["ls"]];
  const results = await Promise.all(cases.flatMap((args) => [
    runC(`cpipe ${args.join(" ")} (C)`, exe, args, dir.path),
    run("cpipe", args, { cwd: dir.path }),
  ]));
  for (const [i, r] of results.entries()) {
    const what = `${i % 2 === 0 ? "C" : "port"} cpipe ${JSON.stringify(cases[i >> 1])}`;
    assert.deepEqual([r.stdout, r.stderr, r.code], ["", "wrong number of arguments!..\n", 1], what);
  }
  // Three programs: the C wants exactly two; the port runs a three-stage pipeline (documented).
  const [c3, port3, shell] = await Promise.all([
    runC("cpipe ls cat wc (C)", exe, ["ls", "cat", "wc"], dir.path),
    run("cpipe", ["ls", "cat", "wc"], { cwd: dir.path }),
    new Deno.Command("sh", { args: ["-c", "ls | cat | wc"], cwd: dir.path }).output(),
  ]);
  assert.deepEqual([c3.stdout, c3.stderr, c3.code], ["", "wrong number of arguments!..\n", 1]);
  assert.deepEqual(
    [port3.stdout, port3.stderr, port3.code],
    [new TextDecoder().decode(shell.stdout), "", 0],
  );
  guard.check();
});
