/**
 * What an exercise is (exercises/catalogue.ts lists them), and how its file
 * is made from its example and put back: {@link buildExercise} blanks out the
 * calls, {@link solveExercise} fills them with the example's own code.
 *
 * @module
 */

/** One blank: a piece of the example, and what the exercise has instead. */
export interface Blank {
  /** Exact text of the example (occurs exactly once in it). */
  find: string;
  /** What the exercise has in its place, with `todo("…")` for the call. */
  todo: string;
}

/** What a failed check often means, for one exercise. */
export interface Diagnosis {
  /** A regular expression (source text) matched against the check's output. */
  when: string;
  /** What to tell the reader, in the program's and the C's terms. */
  say: string;
}

/** One exercise. */
export interface Exercise {
  /** The task of its example: `deno task NAME`, `deno task exercise check NAME`. */
  name: string;
  /** The example's file, from the project root: `examples/pipes/pipe-parent-child.ts`. */
  example: string;
  /** The C original (seed) or topic it practises, for `list`. */
  origin: string;
  /** What the reader writes, in one sentence. */
  goal: string;
  /** Hints, mildest first: `deno task exercise hint NAME` shows them one more at a time. */
  hints: string[];
  /** The paired tests: a file of tests/ and a `--filter` (regular expression) for its tests. */
  tests: { file: string; filter: string };
  /** Arguments for a plain run of the exercise (the honesty test: unfilled, it stops at a TODO). */
  args?: string[];
  /** Likely causes of a failed check, by what the output shows. */
  diagnoses?: Diagnosis[];
  blanks: Blank[];
}

/** Diagnoses every exercise shares (checked after its own). */
export const COMMON_DIAGNOSES: Diagnosis[] = [
  {
    when: "TODO: ",
    say: "A blank is still there: the program stopped at the todo(...) above. " +
      "Replace the whole todo(...) with the call it describes.",
  },
  {
    when: "timed out|did not end|still running after",
    say: "Your program never finished: one side waits for something the other never does " +
      "(a close that never came, so no end-of-file; a message never sent; a lock never " +
      "released). Compare the order of your calls with the C original's.",
  },
  {
    when: "ReferenceError|TypeError|SyntaxError",
    say: "JavaScript stopped your program before any IPC happened: a name that is not " +
      "imported, or a call with the wrong arguments. The error above names the line.",
  },
];

/** The header every exercise file starts with. */
function header(exercise: Exercise, number: number): string {
  return [
    "// deno-lint-ignore-file no-unused-vars",
    `// EXERCISE ${number}: ${exercise.name} (${exercise.origin})`,
    `// ${exercise.goal}`,
    "// Replace each todo(...) with the call it describes. Check: `deno task exercise check " +
    `${exercise.name}\`; a hint: \`deno task exercise hint ${exercise.name}\`.`,
    'import { todo } from "../../exercises/todo.ts";',
    "",
  ].join("\n");
}

/** How an exercise file reaches its example's sibling modules: `../../examples/TOPIC/`. */
function siblings(exercise: Exercise): string {
  return `../../${exercise.example.replace(/[^/]+$/, "")}`;
}

/** Where an exercise's file is, from the project root: `exercises/pipes/pipe-parent-child.ts`. */
export function exercisePath(exercise: Exercise): string {
  return exercise.example.replace(/^examples\//, "exercises/");
}

/**
 * The exercise file made from its example's text: the header, then the
 * example with each blank's `find` replaced by its `todo` (`number`: its
 * place in the course, from 1). Throws when a
 * `find` does not occur exactly once.
 */
export function buildExercise(exercise: Exercise, number: number, example: string): string {
  let text = example;
  for (const b of exercise.blanks) {
    const count = text.split(b.find).length - 1;
    if (count !== 1) {
      throw new Error(
        `${exercise.name}: a blank's text occurs ${count} times in ${exercise.example}: ` +
          JSON.stringify(b.find.slice(0, 60)),
      );
    }
    text = text.replace(b.find, () => b.todo);
  }
  // The example's own modules beside it (`./options.ts`) stay the example's.
  text = text.replace(/(from |import\()"\.\/([^"]+)"/g, `$1"${siblings(exercise)}$2"`);
  return header(exercise, number) + text;
}

/** The exercise with every blank filled with the example's own code (the example again). */
export function solveExercise(exercise: Exercise, number: number, text: string): string {
  const head = header(exercise, number);
  let body = text.startsWith(head) ? text.slice(head.length) : text;
  for (const b of exercise.blanks) body = body.replace(b.todo, () => b.find);
  return body.split(`"${siblings(exercise)}`).join('"./');
}
