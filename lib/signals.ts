/**
 * Cleanup that survives Ctrl+C: a registry of undo actions (remove a FIFO,
 * IPC_RMID a segment...) run once, on normal exit, on `Deno.exit`, or on
 * SIGINT/SIGTERM/SIGHUP, after which the process exits with `128 + signal`
 * (130 for Ctrl+C, 143 for SIGTERM) as a shell expects.
 *
 * Signal listeners only run when the event loop turns; a program that sits
 * in a blocking FFI call is deaf to them. That is why every wait in `lib/`
 * that a user may interrupt polls in short slices (see `waitFor`).
 *
 * @module
 */

/** An undo action: synchronous, so it can run inside a signal listener. */
export type Cleanup = () => void;

const cleanups = new Map<number, { label: string; fn: Cleanup }>();
let nextId = 1;
let installed = false;

const SIGNALS: Array<[Deno.Signal, number]> = [
  ["SIGINT", 2],
  ["SIGTERM", 15],
  ["SIGHUP", 1],
];

/**
 * Run every registered cleanup once, newest first. Errors are reported on
 * stderr and do not stop the others.
 *
 * @example
 * ```ts
 * import { onCleanup, runCleanups } from "./signals.ts";
 * onCleanup("say bye", () => console.log("bye"));
 * runCleanups(); // prints "bye"
 * ```
 */
export function runCleanups(): void {
  const entries = [...cleanups.entries()].reverse();
  cleanups.clear();
  for (const [, { label, fn }] of entries) {
    try {
      fn();
    } catch (e) {
      console.error(`cleanup "${label}" failed: ${e instanceof Error ? e.message : e}`);
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const [name, number] of SIGNALS) {
    Deno.addSignalListener(name, () => {
      runCleanups();
      Deno.exit(128 + number);
    });
  }
  globalThis.addEventListener("unload", runCleanups);
}

/**
 * Register `fn` to undo something this process made. Returns a handle:
 * dispose it (or call `done()`) when the thing was undone in the normal
 * course, so it is not undone twice. The first registration installs the
 * SIGINT/SIGTERM/SIGHUP listeners.
 *
 * @example
 * ```ts
 * import { onCleanup } from "./signals.ts";
 * using guard = onCleanup("remove testfifo", () => Deno.removeSync("testfifo"));
 * // ... on Ctrl+C the FIFO is removed and the program exits with 130
 * ```
 */
export function onCleanup(
  label: string,
  fn: Cleanup,
): Disposable & { done(): void } {
  install();
  const id = nextId++;
  cleanups.set(id, { label, fn });
  const done = () => {
    cleanups.delete(id);
  };
  return { done, [Symbol.dispose]: done };
}

/**
 * Exit with `128 + signal` on SIGINT/SIGTERM/SIGHUP (running cleanups)
 * even if nothing is registered yet: call it at the start of a program that
 * waits, so that an interrupt always ends it with the shell's exit code.
 *
 * @example
 * ```ts
 * import { exitOnSignals } from "./signals.ts";
 * exitOnSignals();
 * ```
 */
export function exitOnSignals(): void {
  install();
}
