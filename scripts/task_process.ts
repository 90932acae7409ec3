/**
 * A task's program as a real OS process, started exactly the way
 * `deno task <name>` starts it (same command line and permissions, from the
 * project root, with INIT_CWD set to the "user's" directory). Shared by the
 * tests (tests/_helpers/run.ts) and the tour (tour/stage.ts).
 *
 * Waiting is event-driven (for text to appear, or for the process to end),
 * never on a timer; the only timer is a generous deadline that turns a hang
 * into a failure with everything the process printed so far.
 *
 * @module
 */
import { ROOT, taskArgv } from "./tasks.ts";

/**
 * Where each thread of a process is, from /proc/PID/task: its name, state
 * and the kernel function it sleeps in (`deno: S futex_wait_queue`), one
 * per line: a hang's failure says whether it waits on a peer (a pipe, a
 * poll) or inside the runtime (every thread in futex_wait under qemu).
 */
export function threadStates(pid: number): string {
  const lines: string[] = [];
  try {
    for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
      const dir = `/proc/${pid}/task/${task.name}`;
      const read = (f: string) => {
        try {
          return Deno.readTextFileSync(`${dir}/${f}`).trim();
        } catch {
          return "?";
        }
      };
      // stat: "tid (comm) S ...": the state follows the last ")".
      const stat = read("stat");
      const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
      lines.push(`${task.name} ${read("comm")}: ${state} ${read("wchan")}`);
    }
  } catch (e) {
    return `(not readable: ${e instanceof Error ? e.message : e})`;
  }
  return lines.join("\n");
}

/**
 * `IPC_LAB_TIME_SCALE` (a number >= 1, default 1): how many times slower
 * than a native run this one is allowed to be. `deno task test:aarch64`
 * sets it for the suite under qemu (about 50x slower than native).
 */
export const TIME_SCALE: number = (() => {
  let text: string | undefined;
  try {
    text = Deno.env.get("IPC_LAB_TIME_SCALE");
  } catch {
    return 1; // no permission to read the environment: a native run
  }
  const scale = Number(text ?? "1");
  return Number.isFinite(scale) && scale >= 1 ? scale : 1;
})();

/**
 * How long any single wait may take before it fails (a hang, not a timing
 * check): 60 s (or `IPC_LAB_HANG_SECONDS`), times {@link TIME_SCALE}.
 */
export const HANG_DEADLINE_MS: number = (() => {
  let seconds = 60;
  try {
    // `deno task exercise check` shortens it: a reader's hanging attempt
    // should fail in seconds, not a minute.
    const text = Deno.env.get("IPC_LAB_HANG_SECONDS");
    if (text !== undefined && Number(text) > 0) seconds = Number(text);
  } catch { /* no permission to read the environment: the default */ }
  return seconds * 1000 * TIME_SCALE;
})();

/**
 * How many independent one-shot processes a test starts at once: all of
 * them natively; 4 under emulation, where each emulated Deno holds about
 * 200 MB and a burst of a hundred of them (every task's `--help`) ran this
 * 24 GB machine out of memory.
 */
export const BURST: number = TIME_SCALE > 1 ? 4 : Infinity;

/**
 * `items.map(job)`, at most `limit` jobs running at a time; the results in
 * the order of `items`.
 */
export async function mapLimited<T, R>(
  items: readonly T[],
  job: (item: T) => Promise<R>,
  limit: number = BURST,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await job(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** How a task's program ended, and everything it printed. */
export interface Finished {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
}

/** How to start a task's program. */
export interface StartOptions {
  /** The user's directory (INIT_CWD); the process itself runs in ROOT. */
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

/** Any program as the OS starts it: executable, arguments, directory. */
export interface Program {
  /** Executable (a path, or a name looked up in PATH). */
  command: string;
  args: string[];
  /** Directory the process runs in. */
  cwd: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

/** The command line `deno task <name> args...` runs, as a {@link Program}. */
export function taskProgram(name: string, args: string[], options: StartOptions = {}): Program {
  const env: Record<string, string> = { ...options.env };
  if (options.cwd) env.INIT_CWD = options.cwd;
  return { command: Deno.execPath(), args: [...taskArgv(name), ...args], cwd: ROOT, env };
}

/**
 * A program running as a real OS process (a task's program, or any other
 * such as a C original): its output collected as it arrives, waits for what
 * it prints, its stdin fed. Subclasses see the output through
 * {@link TaskProcess.onText} and {@link TaskProcess.onEnd}.
 */
export class TaskProcess {
  readonly name: string;
  readonly process: Deno.ChildProcess;
  stdout = "";
  stderr = "";
  #writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #waiters: Array<() => void> = [];
  #done: Promise<Finished>;
  #ended = false;

  /**
   * Start task `name` with `args` (as `deno task` would), or, given a
   * {@link Program} instead of `args`, that program under the label `name`.
   */
  constructor(name: string, args: string[] | Program, options: StartOptions = {}) {
    this.name = name;
    const program = Array.isArray(args) ? taskProgram(name, args, options) : args;
    const child = new Deno.Command(program.command, {
      args: program.args,
      cwd: program.cwd,
      env: program.env,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.process = child;
    this.#writer = child.stdin.getWriter();
    const pump = async (stream: ReadableStream<Uint8Array>, which: "stdout" | "stderr") => {
      const decoder = new TextDecoder();
      for await (const chunk of stream) {
        const text = decoder.decode(chunk, { stream: true });
        this[which] += text;
        this.onText(which, text);
        this.#notify();
      }
      const rest = decoder.decode();
      this[which] += rest;
      if (rest) this.onText(which, rest);
    };
    const pumps = Promise.all([
      pump(child.stdout, "stdout"),
      pump(child.stderr, "stderr"),
    ]);
    this.#done = (async () => {
      const status = await child.status;
      await pumps;
      this.onEnd();
      this.#ended = true;
      this.#notify();
      await this.closeStdin();
      return {
        code: status.code,
        signal: status.signal,
        stdout: this.stdout,
        stderr: this.stderr,
      };
    })();
  }

  /** Called with each piece of output as it arrives (nothing by default). */
  protected onText(_which: "stdout" | "stderr", _text: string): void {}

  /** Called once when the process has ended and all output is in. */
  protected onEnd(): void {}

  /** Whether the process has ended and all its output is in. */
  get ended(): boolean {
    return this.#ended;
  }

  /** The process id. */
  get pid(): number {
    return this.process.pid;
  }

  #notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  #describe(hung = false): string {
    return `${this.name} (pid ${this.pid})\n--- stdout ---\n${this.stdout}\n--- stderr ---\n${this.stderr}` +
      (hung ? `\n--- where its threads were ---\n${threadStates(this.pid)}` : "");
  }

  /**
   * Wait until stdout (or stderr, or either: "both") contains `pattern`.
   * Fails if the process ends first, or after HANG_DEADLINE_MS.
   */
  async waitFor(
    pattern: string | RegExp,
    stream: "stdout" | "stderr" | "both" = "stdout",
  ): Promise<void> {
    const text = () => stream === "both" ? this.stdout + this.stderr : this[stream];
    const matches = () =>
      typeof pattern === "string" ? text().includes(pattern) : pattern.test(text());
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(`timed out waiting for ${pattern} in ${stream} of ${this.#describe(true)}`),
          ),
        HANG_DEADLINE_MS,
      );
    });
    try {
      while (!matches()) {
        if (this.#ended) {
          throw new Error(`${this.name} ended before printing ${pattern}: ${this.#describe()}`);
        }
        await Promise.race([new Promise<void>((r) => this.#waiters.push(r)), deadline]);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** Write text to the process's stdin. */
  async write(text: string): Promise<void> {
    if (!this.#writer) throw new Error("stdin already closed");
    await this.#writer.write(new TextEncoder().encode(text));
  }

  /** Close stdin (EOF for the program). Harmless when already closed or the process ended. */
  async closeStdin(): Promise<void> {
    const w = this.#writer;
    this.#writer = undefined;
    if (w) await w.close().catch(() => {});
  }

  /** Send a signal. */
  kill(signal: Deno.Signal = "SIGTERM"): void {
    try {
      this.process.kill(signal);
    } catch {
      // already gone
    }
  }

  /** Wait for the process to end; fails (after killing it) if it hangs. */
  async finish(): Promise<Finished> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<"hang">((resolve) => {
      timer = setTimeout(() => resolve("hang"), HANG_DEADLINE_MS);
    });
    const result = await Promise.race([this.#done, deadline]);
    clearTimeout(timer);
    if (result === "hang") {
      const described = this.#describe(true); // before the kill: where it hangs
      this.kill("SIGKILL");
      await this.#done;
      throw new Error(`${this.name} did not end: ${described}`);
    }
    return result;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#ended) this.kill("SIGKILL");
    await this.#done;
  }
}
