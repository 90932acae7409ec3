/**
 * Practice mode is honest by construction: every exercise is its example
 * with the lesson's calls blanked, and filling the blanks with the
 * example's own code gives the example back, byte for byte (which passes
 * its paired tests: they run in this suite). Every untouched exercise stops
 * at once with its TODO, and its check fails saying so. A check really runs
 * the reader's file: a solved copy passes, a copy missing one close fails,
 * fast, with a message that points at the close.
 */
import "./_helpers/bind_libc.ts"; // before anything calls libc: see the module
import assert from "node:assert/strict";
import { EXERCISES } from "../exercises/catalogue.ts";
import { buildExercise, exercisePath, solveExercise } from "../exercises/exercise.ts";
import { taskArgs, tempDir } from "./_helpers/run.ts";
import { run, start } from "./_helpers/run.ts";
import { mapLimited } from "../scripts/task_process.ts";
import { ROOT } from "../scripts/tasks.ts";
import { LeakGuard } from "./_helpers/leaks.ts";

Deno.test("exercises: at least twelve, covering every topic folder, in course order", () => {
  assert.ok(EXERCISES.length >= 12, `${EXERCISES.length} exercises`);
  const topics = [...Deno.readDirSync(`${ROOT}/examples`)].filter((e) => e.isDirectory)
    .map((e) => e.name).sort();
  const covered = new Set(EXERCISES.map((e) => e.example.split("/")[1]));
  assert.deepEqual(topics.filter((t) => !covered.has(t)), [], "topics without an exercise");
  assert.equal(new Set(EXERCISES.map((e) => e.name)).size, EXERCISES.length, "names are unique");
});

Deno.test("every exercise file is its example with the blanks; solved, it is the example again", () => {
  EXERCISES.forEach((e, i) => {
    const example = Deno.readTextFileSync(`${ROOT}/${e.example}`);
    const committed = Deno.readTextFileSync(`${ROOT}/${exercisePath(e)}`);
    assert.equal(
      committed,
      buildExercise(e, i + 1, example),
      `${exercisePath(e)} is not what \`deno task exercise build\` makes of ${e.example}`,
    );
    assert.equal(solveExercise(e, i + 1, committed), example, `${e.name}: solved ≠ the example`);
    assert.ok(e.blanks.length >= 2, `${e.name}: ${e.blanks.length} blank(s)`);
    assert.ok(e.hints.length >= 2 && e.tests.filter.length > 0, `${e.name}: hints and tests`);
  });
});

Deno.test("every untouched exercise stops at once at a TODO, says which, exit 1, leaves nothing", async () => {
  await using dir = await tempDir();
  const guard = new LeakGuard({ dir: dir.path });
  const results = await mapLimited(EXERCISES, async (e) => {
    // The example's task, with the exercise file in place of the example's.
    const argv = taskArgs(e.name).map((w) => w === e.example ? exercisePath(e) : w);
    const out = await new Deno.Command(Deno.execPath(), {
      args: [...argv, ...(e.args ?? [])],
      cwd: ROOT,
      env: { INIT_CWD: dir.path, NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { e, code: out.code, stderr: new TextDecoder().decode(out.stderr) };
  });
  for (const { e, code, stderr } of results) {
    assert.equal(code, 1, `${e.name}: exit ${code}: ${stderr}`);
    const said = stderr.match(new RegExp(`^${e.name}: TODO: (.*)$`, "m"));
    assert.ok(said, `${e.name} did not stop at a TODO: ${stderr}`);
    assert.ok(
      e.blanks.some((b) => b.todo.includes(JSON.stringify(said[1]).slice(1, -1).slice(0, 30))),
      `${e.name}: "${said[1]}" is not one of its blanks`,
    );
    assert.doesNotMatch(stderr, /at file:\/\//, `${e.name}: a stack trace`);
  }
  guard.check();
});

Deno.test("deno task exercise: list, hint, check --all --json, check (solved, one close missing), reset", async () => {
  await using dir = await tempDir();
  const exercise = (args: string[]) => run("exercise", args, { cwd: dir.path });
  const work = `${dir.path}/ipc-lab-exercises`;
  const mine = `${work}/pipes/pipe-parent-child.ts`;
  const progress = () => JSON.parse(Deno.readTextFileSync(`${work}/progress.json`));

  const list = await exercise(["list"]);
  assert.equal(list.code, 0, list.stderr);
  for (const e of EXERCISES) assert.match(list.stdout, new RegExp(`· not done +${e.name} `));

  const hint1 = await exercise(["hint", "pipe-parent-child"]);
  const hint2 = await exercise(["hint", "pipe-parent-child"]);
  assert.match(hint1.stdout, /^hint 1: /);
  assert.doesNotMatch(hint1.stdout, /^hint 2: /m);
  assert.match(hint2.stdout, /^hint 2: /m, "one more hint each time");

  // For a teacher: every exercise at once, as JSON. Untouched, each fails
  // naming its blanks, and nothing runs; the reader's copies are made.
  const all = await exercise(["check", "--all", "--json"]);
  assert.equal(all.code, 1);
  const results = JSON.parse(all.stdout) as {
    name: string;
    passed: boolean;
    broken: string[];
    details: string;
  }[];
  assert.deepEqual(results.map((r) => r.name), EXERCISES.map((e) => e.name));
  for (const r of results) {
    assert.ok(!r.passed && r.broken.length > 0, r.name);
    assert.match(r.details, /^line \d+: TODO: /, `${r.name}: its blanks, by line`);
  }
  assert.match(results[0].details, /line \d+: TODO: create the pipe \(C: pipe\(fds\)\)/);
  assert.ok(Deno.statSync(mine).isFile, "the reader's copies are in their directory");

  // Solved with the example's code (imports as in the reader's copy): every test passes.
  // (write-shm: its paired tests are few and cheap; pipe-parent-child's broken copy is below.)
  const writeShm = EXERCISES.find((e) => e.name === "write-shm")!;
  const writeShmCopy = `${work}/sysv-shm/write-shm.ts`;
  let writeShmSolved = await Deno.readTextFile(writeShmCopy);
  for (const b of writeShm.blanks) writeShmSolved = writeShmSolved.replace(b.todo, () => b.find);
  await Deno.writeTextFile(writeShmCopy, writeShmSolved);
  const pass = await exercise(["check", "write-shm"]);
  assert.equal(pass.code, 0, pass.stdout + pass.stderr);
  assert.match(pass.stdout, /^✔ write-shm \(exercise \d+\): all \d+ of its tests pass$/m);
  assert.ok(progress().done["write-shm"], "progress.json: write-shm done");

  // A new reader's mistake in pipe-parent-child: every call written but the
  // parent's close of the write end. The child waits for end-of-file forever;
  // the check stops it and points at the close.
  const copy = await Deno.readTextFile(mine);
  let solved = copy;
  for (const b of EXERCISES[0].blanks) solved = solved.replace(b.todo, () => b.find);
  const close =
    "  // close(fds[1]);  -- now the child's read() can return 0\n  fds.write.close();\n";
  assert.ok(solved.includes(close));
  await Deno.writeTextFile(mine, solved.replace(close, ""));
  const broken = await exercise(["check", "pipe-parent-child", "--deadline", "3"]);
  assert.equal(broken.code, 1, broken.stdout);
  assert.match(broken.stdout, /✘ pipe-parent-child: the child prints 0\.\.9 and both exit 0/);
  assert.match(broken.stdout, /Likely: The child never saw end-of-file\..*close it/);
  assert.doesNotMatch(broken.stdout + broken.stderr, /^\s+at file:\/\//m, "no stack trace");

  const reset = await exercise(["reset", "pipe-parent-child"]);
  assert.equal(reset.code, 0);
  assert.equal(await Deno.readTextFile(mine), copy, "reset: the untouched exercise again");
  assert.equal(progress().done["pipe-parent-child"], undefined, "reset: not done");
});

Deno.test("deno task exercise watch: a save re-checks the exercise it touched", async () => {
  await using dir = await tempDir();
  await using watch = start("exercise", ["watch"], { cwd: dir.path });
  await watch.waitFor("save an exercise to check it");
  const mine = `${dir.path}/ipc-lab-exercises/fifo/writefifo.ts`;
  const text = await Deno.readTextFile(mine);
  await Deno.writeTextFile(mine, text + "\n"); // saved, its blanks still there
  await watch.waitFor(/✘ writefifo \(exercise 3\): not checked[^]*line \d+: TODO: /);
  watch.kill("SIGINT");
  const r = await watch.finish();
  assert.equal(r.code, 130, "Ctrl+C ends the watch");
});
