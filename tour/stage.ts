/**
 * The tour's stage: starts an example's processes for real (the exact
 * command line of its `deno task`), prints their output as it arrives with a
 * coloured role label per process, shows typed input, and records checks.
 *
 * @module
 */

import { ROOT, taskArgv, TASKS } from "../scripts/tasks.ts";
import { TaskProcess } from "../scripts/task_process.ts";

export { ROOT, taskArgv };

/** All task names in deno.json. */
export function taskNames(): string[] {
  return Object.keys(TASKS);
}

const PALETTE = ["#4fc3f7", "#ffb74d", "#aed581", "#f06292", "#ba68c8", "#4db6ac", "#e57373"];
const color = !Deno.noColor;

/** Where the narration goes: stdout, or stderr when stdout carries a result (`trace --mermaid`). */
let print: (...data: unknown[]) => void = console.log;

/** Send the narration (and the processes' output) to stderr from now on. */
export function narrateOnStderr(): void {
  print = console.error;
}

/** Print with `%c` styles only when colour is on (NO_COLOR respected). */
export function say(text: string, css = ""): void {
  if (color && css) print(`%c${text}`, css);
  else print(text);
}

/** One process on stage: its output printed line by line under its role label. */
export class Actor extends TaskProcess {
  readonly role: string;
  #css: string;
  #partial = { stdout: "", stderr: "" };

  constructor(role: string, task: string, args: string[], stage: Stage, cssColor: string) {
    super(task, args, {
      cwd: stage.dir,
      env: stage.trace ? { IPC_TRACE: stage.trace } : {},
    });
    this.role = role;
    this.#css = `color: ${cssColor}; font-weight: bold`;
  }

  protected override onText(which: "stdout" | "stderr", text: string): void {
    const lines = (this.#partial[which] + text).split("\n");
    this.#partial[which] = lines.pop()!;
    for (const line of lines) this.#print(line, which);
  }

  protected override onEnd(): void {
    for (const which of ["stdout", "stderr"] as const) {
      if (this.#partial[which]) this.#print(this.#partial[which], which);
      this.#partial[which] = "";
    }
  }

  #print(line: string, which: "stdout" | "stderr"): void {
    const label = `[${this.role}]`;
    if (color) {
      print(`%c${label}%c ${line}`, this.#css, which === "stderr" ? "color: #9e9e9e" : "");
    } else print(`${label} ${line}`);
  }

  /** Wait until the process has printed `pattern` (stdout or stderr). */
  override waitFor(pattern: string | RegExp): Promise<void> {
    return super.waitFor(pattern, "both");
  }

  /** Type a line into the process, shown as typed after its pending prompt. */
  async type(line: string): Promise<void> {
    const prompt = this.#partial.stdout;
    this.#partial.stdout = "";
    const shown = line === "" ? "⏎ (ENTER)" : line;
    if (color) {
      print(`%c[${this.role}]%c ${prompt}%c${shown}`, this.#css, "", "color: #fff176");
    } else print(`[${this.role}] ${prompt}${shown}   <- typed`);
    await this.write(`${line}\n`);
  }

  /** Close stdin (the user pressed Ctrl+D). */
  async endInput(): Promise<void> {
    const shown = `${this.#partial.stdout}^D`;
    this.#partial.stdout = "";
    if (color) print(`%c[${this.role}]%c ${shown}`, this.#css, "color: #fff176");
    else print(`[${this.role}] ${shown}`);
    await this.closeStdin();
  }

  /** Send a signal (shown as the user's action). */
  signal(sig: Deno.Signal): void {
    say(`  (sending ${sig} to ${this.role})`, "color: #9e9e9e");
    this.kill(sig);
  }

  /** Kill if still running and wait (used when a scene fails half-way). */
  async stop(): Promise<void> {
    await this[Symbol.asyncDispose]();
  }
}

/** The context a scene plays in. */
export class Stage {
  /** A fresh temp directory: the "user's directory" (INIT_CWD) of every process. */
  readonly dir: string;
  /**
   * The IPC_TRACE value passed to the processes: `"1"` (lines on their
   * stderr), the path of a machine trace file, or undefined (no tracing).
   */
  readonly trace: string | undefined;
  readonly failures: string[] = [];
  #actors: Actor[] = [];

  constructor(dir: string, trace?: string) {
    this.dir = dir;
    this.trace = trace;
  }

  /** How each process started on stage ended (call after {@link Stage.stopAll}). */
  async ends(): Promise<{ pid: number; role: string; code: number; signal: string | null }[]> {
    return await Promise.all(this.#actors.map(async (a) => {
      const r = await a.finish();
      return { pid: a.pid, role: a.role, code: r.code, signal: r.signal };
    }));
  }

  /** Start the program of task `task` as a process labelled `role`. */
  start(role: string, task: string, args: string[] = []): Actor {
    const actor = new Actor(role, task, args, this, PALETTE[this.#actors.length % PALETTE.length]);
    this.#actors.push(actor);
    return actor;
  }

  /** Record a promise the example makes: passes or fails with what differed. */
  expect(ok: boolean, what: string, differed?: string): void {
    if (ok) say(`  ✔ ${what}`, "color: #66bb6a");
    else {
      say(`  ✘ ${what}${differed ? `: ${differed}` : ""}`, "color: #ef5350; font-weight: bold");
      this.failures.push(what);
    }
  }

  /** Stop every process still running. */
  async stopAll(): Promise<void> {
    await Promise.all(this.#actors.map((a) => a.stop()));
  }
}

/** One example in the tour. */
export interface Scene {
  /** Topic folder: pipes, fifo, sysv-shm, mmap... (`--only` selects by it). */
  topic: string;
  /** Title line. */
  title: string;
  /** One or two sentences on what is about to happen. */
  story: string;
  /** Run the processes and check what they promise. */
  play(stage: Stage): Promise<void>;
}
