/**
 * Start an example the way `deno task <name>` does (same command line, from
 * the project root, with INIT_CWD set to the "user's" directory) as a real
 * OS process, feed its stdin, and watch what it prints.
 *
 * Waiting is event-driven (we wait for text to appear, or for the process
 * to end), never on a timer; the only timer is a generous deadline that
 * turns a hang into a failure with everything the process printed so far.
 */

import { ROOT, taskArgv } from "../../scripts/tasks.ts";
import { cProgram } from "../../scripts/c_originals.ts";
import {
  type Finished,
  HANG_DEADLINE_MS,
  type StartOptions,
  TaskProcess,
} from "../../scripts/task_process.ts";

export { ROOT };

export { HANG_DEADLINE_MS };
export type { Finished, StartOptions };

/** The argv (after `deno`) that `deno task <name>` runs, from deno.json. */
export const taskArgs = taskArgv;

/** A running example with helpers to talk to it. */
export class Started extends TaskProcess {}

/** Start the program of task `name` with `args`. */
export function start(name: string, args: string[] = [], options: StartOptions = {}): Started {
  return new Started(name, args, options);
}

/**
 * Start a compiled C program (a C original, see scripts/c_originals.ts) in
 * directory `cwd` as a person at a terminal would run it (`stdbuf -oL -i0`).
 * `label` names it in failure messages.
 */
export function startC(
  label: string,
  executable: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Started {
  return new Started(label, cProgram(executable, args, options.cwd, options.env));
}

/** Run task `name` to completion, with `stdin` as its whole input. */
export async function run(
  name: string,
  args: string[] = [],
  options: StartOptions & { stdin?: string } = {},
): Promise<Finished> {
  await using p = start(name, args, options);
  if (options.stdin !== undefined) await p.write(options.stdin);
  await p.closeStdin();
  return await p.finish();
}

/** A fresh temp directory, removed (recursively) on dispose. */
export async function tempDir(prefix = "ipc-lab-"): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix });
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true });
    },
  };
}

/** A random SysV key, unique enough that parallel tests never share one. */
export function randomKey(): number {
  const v = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(v);
    const key = v[0] & 0x7fffffff;
    if (key !== 0 && key !== 0x12345678) return key;
  }
}

/** A random tag for POSIX IPC names (`/ipc-lab-<tag>`) and file names. */
export function randomTag(): string {
  return crypto.randomUUID().slice(0, 8);
}

/** The pids whose parent is `pid` (scanning /proc). */
export function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      // pid (comm) state ppid ...: comm may hold spaces, so split after ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) found.push(Number(entry.name));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/**
 * Wait until process `pid` has a child that has exec'd its program, and
 * return its pid. Polls /proc
 * (there is no event for "a process started a child"); fails after
 * HANG_DEADLINE_MS.
 */
export async function waitForChildOf(pid: number): Promise<number> {
  const deadline = Date.now() + HANG_DEADLINE_MS;
  const cmdline = (p: number) => {
    try {
      return Deno.readTextFileSync(`/proc/${p}/cmdline`);
    } catch {
      return undefined; // gone
    }
  };
  for (;;) {
    // Only once the child has exec'd: posix_spawn's child (CLONE_VFORK) still
    // runs the parent's program until then, and the parent sleeps in
    // kernel_clone; a SIGSTOP there would stop both.
    const children = childrenOf(pid).filter((c) => cmdline(c) !== cmdline(pid));
    if (children.length > 0) return children[0];
    if (Date.now() > deadline) throw new Error(`process ${pid} started no child`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
