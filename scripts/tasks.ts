/**
 * The project's tasks as data: the tour, the tests and the scripts start
 * every example with exactly the command line (and so exactly the
 * permissions) that `deno task <name>` uses.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** The project's root directory (no trailing slash). */
export const ROOT: string = fileURLToPath(new URL("../", import.meta.url)).replace(/\/$/, "");

/** Every task of deno.json, name to command line. */
export const TASKS: Readonly<Record<string, string>> = (JSON.parse(
  Deno.readTextFileSync(`${ROOT}/deno.json`),
) as { tasks: Record<string, string> }).tasks;

/**
 * The argv after `deno` that `deno task <name>` runs, e.g.
 * `["run", "--allow-ffi", ..., "examples/pipes/cpipe.ts"]`.
 *
 * @example
 * ```ts
 * import { taskArgv } from "./tasks.ts";
 * new Deno.Command(Deno.execPath(), { args: [...taskArgv("cpipe"), "ls", "wc"] });
 * ```
 */
export function taskArgv(name: string): string[] {
  const command = TASKS[name];
  if (command === undefined) throw new Error(`deno.json has no task "${name}"`);
  const words = command.trim().split(/\s+/);
  if (words[0] !== "deno") throw new Error(`task "${name}" does not start with deno: ${command}`);
  return words.slice(1).map(practised);
}

/**
 * Practice mode (`deno task exercise check`): with `IPC_LAB_EXERCISE` set
 * to `examples/TOPIC/FILE.ts=/path/to/the/reader's/FILE.ts`, the task whose
 * program is that example runs the reader's file instead, with the task's
 * own flags; every other program (the peer the tests start beside it) stays
 * the example. So the tour's scenes and the paired tests check the reader's
 * program, unchanged.
 */
function practised(word: string): string {
  let swap: string | undefined;
  try {
    swap = Deno.env.get("IPC_LAB_EXERCISE");
  } catch {
    return word; // no permission to read the environment: not practice mode
  }
  if (!swap) return word;
  const [example, mine] = swap.split("=");
  return word === example && mine ? mine : word;
}
