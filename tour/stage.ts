/**
 * The tour's stage: starts an example's processes for real (the exact
 * command line of its `deno task`), prints their output as it arrives with a
 * coloured role label per process, shows typed input, and records checks.
 *
 * @module
 */

export { ROOT, taskArgv } from "../scripts/tasks.ts";
import { ROOT, taskArgv, TASKS } from "../scripts/tasks.ts";

/** All task names in deno.json. */
export function taskNames(): string[] {
  return Object.keys(TASKS);
}

const PALETTE = ["#4fc3f7", "#ffb74d", "#aed581", "#f06292", "#ba68c8", "#4db6ac", "#e57373"];
const color = !Deno.noColor;

/** Print with `%c` styles only when colour is on (NO_COLOR respected). */
export function say(text: string, css = ""): void {
  if (color && css) console.log(`%c${text}`, css);
  else console.log(text);
}

/** How long one wait may take before the tour calls the scene failed (a hang, not a timing check). */
const HANG_MS = 60_000;

/** One process on stage. */
export class Actor {
  readonly role: string;
  readonly process: Deno.ChildProcess;
  stdout = "";
  stderr = "";
  #css: string;
  #partial = { stdout: "", stderr: "" };
  #writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #waiters: Array<() => void> = [];
  #ended = false;
  #done: Promise<{ code: number; signal: Deno.Signal | null }>;

  constructor(role: string, task: string, args: string[], stage: Stage, cssColor: string) {
    this.role = role;
    this.#css = `color: ${cssColor}; font-weight: bold`;
    const env: Record<string, string> = { INIT_CWD: stage.dir };
    if (stage.trace) env.IPC_TRACE = "1";
    const child = new Deno.Command(Deno.execPath(), {
      args: [...taskArgv(task), ...args],
      cwd: ROOT,
      env,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.process = child;
    this.#writer = child.stdin.getWriter();
    const pump = async (stream: ReadableStream<Uint8Array>, which: "stdout" | "stderr") => {
      const decoder = new TextDecoder();
      for await (const chunk of stream) this.#take(which, decoder.decode(chunk, { stream: true }));
      this.#take(which, decoder.decode());
    };
    const pumps = Promise.all([pump(child.stdout, "stdout"), pump(child.stderr, "stderr")]);
    this.#done = (async () => {
      const status = await child.status;
      await pumps;
      this.#flush("stdout");
      this.#flush("stderr");
      this.#ended = true;
      this.#wake();
      const w = this.#writer;
      this.#writer = undefined;
      await w?.close().catch(() => {});
      return { code: status.code, signal: status.signal };
    })();
  }

  get pid(): number {
    return this.process.pid;
  }

  #take(which: "stdout" | "stderr", text: string): void {
    this[which] += text;
    const lines = (this.#partial[which] + text).split("\n");
    this.#partial[which] = lines.pop()!;
    for (const line of lines) this.#print(line, which);
    this.#wake();
  }

  #flush(which: "stdout" | "stderr"): void {
    if (this.#partial[which]) this.#print(this.#partial[which], which);
    this.#partial[which] = "";
  }

  #print(line: string, which: "stdout" | "stderr"): void {
    const label = `[${this.role}]`;
    const shown = which === "stderr" ? `${line}` : line;
    if (color) {
      console.log(
        `%c${label}%c ${shown}`,
        this.#css,
        which === "stderr" ? "color: #9e9e9e" : "",
      );
    } else console.log(`${label} ${shown}`);
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  /** Wait until the process has printed `pattern` (stdout or stderr). */
  async waitFor(pattern: string | RegExp): Promise<void> {
    const seen = () => {
      const all = this.stdout + this.stderr;
      return typeof pattern === "string" ? all.includes(pattern) : pattern.test(all);
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hang = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.role} never printed ${pattern}`)),
        HANG_MS,
      );
    });
    try {
      while (!seen()) {
        if (this.#ended) throw new Error(`${this.role} ended before printing ${pattern}`);
        await Promise.race([new Promise<void>((r) => this.#waiters.push(r)), hang]);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** Type a line into the process, shown as typed after its pending prompt. */
  async type(line: string): Promise<void> {
    const prompt = this.#partial.stdout;
    this.#partial.stdout = "";
    const shown = line === "" ? "⏎ (ENTER)" : line;
    if (color) {
      console.log(`%c[${this.role}]%c ${prompt}%c${shown}`, this.#css, "", "color: #fff176");
    } else console.log(`[${this.role}] ${prompt}${shown}   <- typed`);
    if (!this.#writer) throw new Error(`${this.role}: stdin is closed`);
    await this.#writer.write(new TextEncoder().encode(`${line}\n`));
  }

  /** Close stdin (the user pressed Ctrl+D). */
  async endInput(): Promise<void> {
    const prompt = this.#partial.stdout;
    this.#partial.stdout = "";
    const shown = `${prompt}^D`;
    if (color) console.log(`%c[${this.role}]%c ${shown}`, this.#css, "color: #fff176");
    else console.log(`[${this.role}] ${shown}`);
    const w = this.#writer;
    this.#writer = undefined;
    await w?.close().catch(() => {});
  }

  /** Send a signal (shown as the user's action). */
  signal(sig: Deno.Signal): void {
    say(`  (sending ${sig} to ${this.role})`, "color: #9e9e9e");
    try {
      this.process.kill(sig);
    } catch {
      // already gone
    }
  }

  /** Wait for the process to end. */
  async finish(): Promise<{ code: number; signal: Deno.Signal | null }> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hang = new Promise<"hang">((r) => {
      timer = setTimeout(() => r("hang"), HANG_MS);
    });
    const result = await Promise.race([this.#done, hang]);
    clearTimeout(timer);
    if (result === "hang") {
      this.process.kill("SIGKILL");
      await this.#done;
      throw new Error(`${this.role} did not end`);
    }
    return result;
  }

  /** Kill if still running and wait (used when a scene fails half-way). */
  async stop(): Promise<void> {
    if (!this.#ended) {
      try {
        this.process.kill("SIGKILL");
      } catch {
        // gone
      }
    }
    await this.#done;
  }
}

/** The context a scene plays in. */
export class Stage {
  /** A fresh temp directory: the "user's directory" (INIT_CWD) of every process. */
  readonly dir: string;
  /** Whether IPC_TRACE=1 is passed to the processes. */
  readonly trace: boolean;
  readonly failures: string[] = [];
  #actors: Actor[] = [];

  constructor(dir: string, trace: boolean) {
    this.dir = dir;
    this.trace = trace;
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
