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

Deno.test("deno task exercise: list, hint, check (untouched, solved, one close missing), --all --json, reset", async () => {
  await using dir = await tempDir();
  const exercise = (args: string[]) => run("exercise", args, { cwd: dir.path });
  const work = `${dir.path}/ipc-lab-exercises`;
  const mine = `${work}/pipes/pipe-parent-child.ts`;

  const list = await exercise(["list"]);
  assert.equal(list.code, 0, list.stderr);
  for (const e of EXERCISES) assert.match(list.stdout, new RegExp(`· not done +${e.name} `));

  const hint1 = await exercise(["hint", "pipe-parent-child"]);
  const hint2 = await exercise(["hint", "pipe-parent-child"]);
  assert.match(hint1.stdout, /^hint 1: /);
  assert.doesNotMatch(hint1.stdout, /^hint 2: /m);
  assert.match(hint2.stdout, /^hint 2: /m, "one more hint each time");

  // Untouched: the blanks are named, nothing runs.
  const untouched = await exercise(["check", "pipe-parent-child"]);
  assert.equal(untouched.code, 1);
  assert.match(untouched.stdout, /✘ pipe-parent-child \(exercise 1\): not checked/);
  assert.match(untouched.stdout, /line \d+: TODO: create the pipe \(C: pipe\(fds\)\)/);
  assert.ok(Deno.statSync(mine).isFile, "the reader's copy is in their directory");

  // Solved with the example's code (imports as in the reader's copy): every test passes.
  const copy = await Deno.readTextFile(mine);
  const e = EXERCISES[0];
  let solved = copy;
  for (const b of e.blanks) solved = solved.replace(b.todo, () => b.find);
  await Deno.writeTextFile(mine, solved);
  const pass = await exercise(["check", "pipe-parent-child"]);
  assert.equal(pass.code, 0, pass.stdout + pass.stderr);
  assert.match(pass.stdout, /^✔ pipe-parent-child \(exercise 1\): all \d+ of its tests pass$/m);
  assert.match((await exercise(["list"])).stdout, /✔ done +pipe-parent-child /);

  // A new reader's mistake: the parent never closes the write end. The child
  // waits for end-of-file forever; the check stops it and points at the close.
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
  assert.match((await exercise(["list"])).stdout, /· not done +pipe-parent-child /);
  // For a teacher: every exercise at once, as JSON (all untouched now: none runs).
  const all = await exercise(["check", "--all", "--json"]);
  assert.equal(all.code, 1);
  const results = JSON.parse(all.stdout) as { name: string; passed: boolean; broken: string[] }[];
  assert.deepEqual(results.map((r) => r.name), EXERCISES.map((e) => e.name));
  assert.ok(results.every((r) => !r.passed && r.broken.length > 0));
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
