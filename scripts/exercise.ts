/**
 * `deno task exercise`: practice mode. The reader writes the calls an
 * example teaches; the example's paired tests grade them.
 *
 * - `list`: the exercises in course order, done or not.
 * - `check NAME`: runs the example's paired tests (tests/…, `--filter` for
 *   that program) against the reader's copy instead of the example: the same
 *   assertions, real processes, each started with the example's task flags
 *   (scripts/tasks.ts swaps that one file for the reader's when
 *   `IPC_LAB_EXERCISE` says so; the peers the tests start stay the
 *   examples). Prints each broken promise (the test's name), what
 *   happened (the assertion and the processes' output) and the likely cause.
 *   A hang fails after `--deadline` seconds (default 20); processes the check
 *   left running are killed and IPC objects it left are removed, and said.
 *   `check --all [--json]`: every exercise, for teachers' CI.
 * - `hint NAME`: one more hint each time. `watch`: re-checks the exercise a
 *   save touches, and moves on when it passes. `reset NAME`: a fresh copy.
 * - `build` (for maintainers): writes exercises/TOPIC/FILE.ts from the
 *   examples and exercises/blanks/.
 *
 * The reader's copies and progress live in `ipc-lab-exercises/` in the
 * directory `deno task` is run from (`--dir DIR` for another), never in the
 * project, so `git pull` never meets the reader's work. Copies import lib/
 * by absolute path.
 *
 * @module
 */
import { runMain, takeFlag, takeOption, UsageError } from "../lib/args.ts";
import { inInvocationDirectory } from "../lib/cwd.ts";
import { exerciseNamed, EXERCISES } from "../exercises/catalogue.ts";
import {
  buildExercise,
  COMMON_DIAGNOSES,
  type Exercise,
  exercisePath,
} from "../exercises/exercise.ts";
import { ROOT } from "./tasks.ts";
import { TIME_SCALE } from "./task_process.ts";
import { ipcObjects, killMarked, markedProcesses, removeNew } from "./leftovers.ts";

const USAGE =
  "usage: deno task exercise list | check NAME | check --all [--json] | hint NAME | watch | reset NAME | build  [--dir DIR] [--deadline SECONDS]\n" +
  "  NAME: an exercise (deno task exercise list); your copies: ./ipc-lab-exercises (--dir DIR)";

/** The reader's progress, kept in their directory. */
interface Progress {
  done: Record<string, string>;
  hints: Record<string, number>;
}

/** How one check went (`--json` prints a list of these). */
export interface CheckResult {
  name: string;
  number: number;
  passed: boolean;
  /** Tests that ran and passed / failed. */
  tests: { passed: number; failed: number };
  /** The failed tests' names: the promises, in plain words. */
  broken: string[];
  /** What happened: the first failure's message and the processes' output. */
  details: string;
  /** The likely cause, when the output shows a known one. */
  diagnosis?: string;
  /** What the check found left behind and removed or killed. */
  leftovers: string[];
}

/** The reader's workspace. */
class Workspace {
  constructor(readonly dir: string) {}

  /** The reader's copy of an exercise. */
  fileOf(exercise: Exercise): string {
    return `${this.dir}/${exercisePath(exercise).replace(/^exercises\//, "")}`;
  }

  /** Copy the exercise into the workspace (imports made absolute), unless there already. */
  ensure(exercise: Exercise, fresh = false): string {
    const file = this.fileOf(exercise);
    let exists = true;
    try {
      Deno.statSync(file);
    } catch {
      exists = false;
    }
    if (exists && !fresh) return file;
    Deno.mkdirSync(file.replace(/\/[^/]+$/, ""), { recursive: true });
    const text = Deno.readTextFileSync(`${ROOT}/${exercisePath(exercise)}`);
    const exampleDir = new URL(`file://${ROOT}/${exercise.example}`);
    Deno.writeTextFileSync(
      file,
      text.replace(/(from |import\()"(\.\.?\/[^"]+)"/g, (_, lead, path) => {
        return `${lead}"${new URL(path, exampleDir).href}"`;
      }),
    );
    return file;
  }

  get progressFile(): string {
    return `${this.dir}/progress.json`;
  }

  progress(): Progress {
    try {
      return { done: {}, hints: {}, ...JSON.parse(Deno.readTextFileSync(this.progressFile)) };
    } catch {
      return { done: {}, hints: {} };
    }
  }

  save(progress: Progress): void {
    Deno.mkdirSync(this.dir, { recursive: true });
    Deno.writeTextFileSync(this.progressFile, JSON.stringify(progress, null, 2) + "\n");
  }
}

function find(name: string | undefined): { exercise: Exercise; number: number } {
  if (name === undefined) {
    throw new UsageError("exercise: name an exercise (deno task exercise list)");
  }
  const found = exerciseNamed(name);
  if (!found) {
    throw new UsageError(
      `exercise: no exercise ${JSON.stringify(name)}; exercises: ${
        EXERCISES.map((e) => e.name).join(", ")
      }`,
    );
  }
  return found;
}

/** The `todo("…")` blanks still in a file: their line and what they ask for. */
export function blanksLeft(text: string): { line: number; what: string }[] {
  const found: { line: number; what: string }[] = [];
  const literal = '"(?:[^"\\\\]|\\\\.)*"';
  const blank = new RegExp(`\\btodo(?:<[^(]*>)?\\(\\s*(${literal}(?:\\s*\\+\\s*${literal})*)`, "g");
  for (const m of text.matchAll(blank)) {
    if (text.slice(0, m.index).split("\n").pop()!.trimStart().startsWith("//")) continue;
    // The text may be several literals joined with +, as deno fmt wraps them.
    const what = [...m[1].matchAll(new RegExp(literal, "g"))].map((l) => JSON.parse(l[0])).join("");
    found.push({ line: text.slice(0, m.index).split("\n").length, what });
  }
  return found;
}

/** The failures section of `deno test`'s output, trimmed for a reader. */
function failureDetails(output: string): string {
  const errors = output.indexOf(" ERRORS ");
  const failures = output.indexOf(" FAILURES ");
  const text = errors >= 0 ? output.slice(errors + 8, failures >= 0 ? failures : undefined) : "";
  const all = text.split("\n");
  // Leave out the test code Deno quotes under an error (the line above its
  // `^`), the stack, and blank lines: the reader needs the promise and the output.
  const lines = all
    .filter((_, i) => !/^\s*\^+$/.test(all[i + 1] ?? ""))
    .filter((l) => !/^\s+at |^\s*\^+$|ext:cli|ext:core|^\s*$/.test(l))
    .map((l) => l.replace(/^error: /, ""));
  return lines.slice(0, 40).join("\n") + (lines.length > 40 ? "\n  (…)" : "");
}

/** Check one exercise: the paired tests against the reader's copy. */
export async function check(
  workspace: Workspace,
  exercise: Exercise,
  number: number,
  deadlineSeconds: number,
): Promise<CheckResult> {
  const file = workspace.ensure(exercise);
  const blanks = blanksLeft(Deno.readTextFileSync(file));
  if (blanks.length > 0) {
    // Nothing to run yet: the program would stop at the first blank.
    return {
      name: exercise.name,
      number,
      passed: false,
      tests: { passed: 0, failed: 0 },
      broken: [`${blanks.length} blank(s) still to fill in ${file}`],
      details: blanks.map((b) => `line ${b.line}: TODO: ${b.what}`).join("\n"),
      diagnosis: "Fill these in first: replace each whole todo(...) with the call it " +
        "describes. The check runs the tests once no blank is left.",
      leftovers: [],
    };
  }
  const before = ipcObjects();
  const mark = `IPC_LAB_RUN=exercise-${Deno.pid}-${Date.now()}`;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "test",
      "--no-check",
      "--allow-all",
      "--fail-fast", // the first broken promise is the one to fix; a hang costs one deadline
      "--filter",
      `/${exercise.tests.filter}/`,
      exercise.tests.file,
    ],
    cwd: ROOT,
    env: {
      IPC_LAB_EXERCISE: `${exercise.example}=${file}`,
      IPC_LAB_HANG_SECONDS: String(deadlineSeconds),
      NO_COLOR: "1",
      [mark.split("=")[0]]: mark.split("=")[1],
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Who belongs to this check: every process carrying its mark, seen while it runs.
  const ours = new Set<number>([child.pid]);
  const watcher = setInterval(() => markedProcesses(mark).forEach((p) => ours.add(p)), 100);
  // A runaway the tests' own deadlines did not stop: the whole check ends
  // here (scaled like those deadlines under emulation).
  const limit = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* ended */ }
  }, (deadlineSeconds * 4 + 60) * 1000 * TIME_SCALE);
  const out = await child.output();
  clearTimeout(limit);
  clearInterval(watcher);
  const output = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  const leftovers: string[] = [];
  killMarked(mark, (line) => leftovers.push(line.replace(/^killing/, "killed")));
  leftovers.push(...(await removeNew(before, ipcObjects(), ours)).map((r) => `removed ${r}`));

  const summary = output.match(/^(?:ok|FAILED) \| (\d+) passed(?: \([^)]*\))? \| (\d+) failed/m);
  const tests = { passed: Number(summary?.[1] ?? 0), failed: Number(summary?.[2] ?? 0) };
  // The failed tests' names: from their result lines and from the FAILURES
  // list (`NAME => ./tests/FILE.ts:LINE:COL`), which stays the same when a
  // slow test's result line comes out differently (under emulation).
  const broken = [
    ...new Set([
      ...[...output.matchAll(/^(.+?) \.\.\. FAILED/gm)].map((m) =>
        m[1].replace(/^\.\/tests\/\S+ => /, "")
      ),
      ...[...output.matchAll(/^(.+?) => \.\/tests\/\S+:\d+:\d+$/gm)].map((m) => m[1]),
    ]),
  ];
  const passed = out.success && tests.failed === 0 && tests.passed > 0;
  const details = passed ? "" : failureDetails(output) || output.slice(-3000);
  const diagnosis = passed
    ? undefined
    : [...(exercise.diagnoses ?? []), ...COMMON_DIAGNOSES].find((d) =>
      new RegExp(d.when).test(output)
    )
      ?.say;
  if (!passed && tests.passed + tests.failed === 0 && broken.length === 0) {
    broken.push(
      out.signal ? `the check was stopped (${out.signal}): it ran too long` : "no test ran",
    );
  }
  return { name: exercise.name, number, passed, tests, broken, details, diagnosis, leftovers };
}

function report(r: CheckResult): void {
  const total = r.tests.passed + r.tests.failed;
  if (r.passed) {
    console.log(`✔ ${r.name} (exercise ${r.number}): all ${total} of its tests pass`);
  } else {
    console.log(
      total > 0
        ? `✘ ${r.name} (exercise ${r.number}): a promise is broken (${r.tests.passed} kept before it)`
        : `✘ ${r.name} (exercise ${r.number}): not checked`,
    );
    for (const b of r.broken) console.log(`  ✘ ${b}`);
    if (r.details) console.log(`\nWhat happened:\n${r.details.replace(/^/gm, "  ")}`);
    if (r.diagnosis) console.log(`\nLikely: ${r.diagnosis}`);
    console.log(`\nA hint: deno task exercise hint ${r.name}`);
  }
  for (const l of r.leftovers) console.log(`  (cleanup: ${l})`);
}

function list(workspace: Workspace): void {
  const progress = workspace.progress();
  console.log(`Exercises (your copies: ${workspace.dir})`);
  EXERCISES.forEach((e, i) => {
    const done = progress.done[e.name] ? "✔ done    " : "· not done";
    console.log(`${String(i + 1).padStart(3)}. ${done}  ${e.name.padEnd(18)} ${e.origin}`);
  });
  const next = EXERCISES.find((e) => !progress.done[e.name]);
  console.log(next ? `\nNext: deno task exercise check ${next.name}` : "\nAll done.");
}

async function watch(workspace: Workspace, deadline: number): Promise<number> {
  for (const e of EXERCISES) workspace.ensure(e);
  // Watch first, then say so: a save right after the line must not be missed.
  const watcher = Deno.watchFs(workspace.dir);
  console.log(`watching ${workspace.dir}: save an exercise to check it (Ctrl+C to stop)`);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pending = new Set<string>();
  for await (const event of watcher) {
    if (event.kind !== "modify" && event.kind !== "create") continue;
    for (const path of event.paths) if (path.endsWith(".ts")) pending.add(path);
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const paths = [...pending];
      pending.clear();
      for (const e of EXERCISES.filter((e) => paths.includes(workspace.fileOf(e)))) {
        const r = await check(workspace, e, EXERCISES.indexOf(e) + 1, deadline);
        report(r);
        if (r.passed) {
          const progress = workspace.progress();
          progress.done[e.name] = new Date().toISOString();
          workspace.save(progress);
          const next = EXERCISES.find((x) => !progress.done[x.name]);
          console.log(next ? `Next: ${next.name} (${workspace.fileOf(next)})` : "All done.");
        }
      }
    }, 300);
  }
  return 0;
}

function build(): number {
  EXERCISES.forEach((e, i) => {
    const text = buildExercise(e, i + 1, Deno.readTextFileSync(`${ROOT}/${e.example}`));
    const out = `${ROOT}/${exercisePath(e)}`;
    Deno.mkdirSync(out.replace(/\/[^/]+$/, ""), { recursive: true });
    Deno.writeTextFileSync(out, text);
    console.log(`wrote ${exercisePath(e)}`);
  });
  return 0;
}

async function main(args: string[]): Promise<number> {
  const json = takeFlag(args, "json");
  const all = takeFlag(args, "all");
  const dirOption = takeOption(args, "dir");
  const deadlineText = takeOption(args, "deadline");
  const deadline = deadlineText === undefined ? 20 : Number(deadlineText);
  if (!(deadline > 0)) throw new UsageError(`exercise: --deadline ${deadlineText}: seconds, > 0`);
  const bad = args.find((a) => a.startsWith("-"));
  if (bad) throw new UsageError(`exercise: unknown option ${bad}`);
  const [command, name, ...rest] = args;
  if (rest.length > 0) throw new UsageError(`exercise: unexpected argument ${rest[0]}`);
  const workspace = new Workspace(inInvocationDirectory(dirOption ?? "ipc-lab-exercises"));

  switch (command) {
    case "list":
      list(workspace);
      return 0;
    case "check": {
      const chosen = all ? EXERCISES.map((e, i) => ({ exercise: e, number: i + 1 })) : [find(name)];
      if (all && name !== undefined) throw new UsageError("exercise: check --all takes no NAME");
      const results: CheckResult[] = [];
      for (const { exercise, number } of chosen) {
        const r = await check(workspace, exercise, number, deadline);
        results.push(r);
        if (!json) report(r);
        const progress = workspace.progress();
        if (r.passed) progress.done[exercise.name] ??= new Date().toISOString();
        else delete progress.done[exercise.name];
        workspace.save(progress);
      }
      if (json) console.log(JSON.stringify(results, null, 2));
      return results.every((r) => r.passed) ? 0 : 1;
    }
    case "hint": {
      const { exercise } = find(name);
      const progress = workspace.progress();
      const shown = Math.min((progress.hints[exercise.name] ?? 0) + 1, exercise.hints.length);
      exercise.hints.slice(0, shown).forEach((h, i) => console.log(`hint ${i + 1}: ${h}`));
      if (shown === exercise.hints.length) console.log("(that was the last hint)");
      progress.hints[exercise.name] = shown;
      workspace.save(progress);
      return 0;
    }
    case "reset": {
      const { exercise } = find(name);
      const file = workspace.ensure(exercise, true);
      const progress = workspace.progress();
      delete progress.done[exercise.name];
      workspace.save(progress);
      console.log(`exercise: ${file} is the untouched exercise again`);
      return 0;
    }
    case "watch":
      return await watch(workspace, deadline);
    case "build":
      return build();
    default:
      throw new UsageError(
        command === undefined
          ? "exercise: say what to do"
          : `exercise: unknown command ${JSON.stringify(command)}`,
      );
  }
}

if (import.meta.main) {
  await runMain("exercise", () => main([...Deno.args]), { usage: USAGE });
}
