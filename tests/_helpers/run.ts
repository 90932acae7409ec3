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

export { ROOT };

/** How long any single wait may take before the test fails (not a timing assertion). */
export const HANG_DEADLINE_MS = 60_000;

/** The argv (after `deno`) that `deno task <name>` runs, from deno.json. */
export const taskArgs = taskArgv;

export interface Finished {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
}

export interface StartOptions {
  /** The user's directory (INIT_CWD); the process itself runs in ROOT. */
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

/** A running example with helpers to talk to it. */
export class Started {
  readonly name: string;
  readonly process: Deno.ChildProcess;
  stdout = "";
  stderr = "";
  #writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #waiters: Array<() => void> = [];
  #done: Promise<Finished>;
  #ended = false;

  constructor(name: string, args: string[], options: StartOptions = {}) {
    this.name = name;
    const env: Record<string, string> = { ...options.env };
    if (options.cwd) env.INIT_CWD = options.cwd;
    const child = new Deno.Command(Deno.execPath(), {
      args: [...taskArgs(name), ...args],
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
      for await (const chunk of stream) {
        this[which] += decoder.decode(chunk, { stream: true });
        this.#notify();
      }
      this[which] += decoder.decode();
    };
    const pumps = Promise.all([
      pump(child.stdout, "stdout"),
      pump(child.stderr, "stderr"),
    ]);
    this.#done = (async () => {
      const status = await child.status;
      await pumps;
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

  get pid(): number {
    return this.process.pid;
  }

  #notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  #describe(): string {
    return `${this.name} (pid ${this.pid})\n--- stdout ---\n${this.stdout}\n--- stderr ---\n${this.stderr}`;
  }

  /** Wait until stdout (or stderr) contains `pattern`. Fails if the process ends first. */
  async waitFor(
    pattern: string | RegExp,
    stream: "stdout" | "stderr" = "stdout",
  ): Promise<void> {
    const matches = () =>
      typeof pattern === "string" ? this[stream].includes(pattern) : pattern.test(this[stream]);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`timed out waiting for ${pattern} in ${stream} of ${this.#describe()}`)),
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
      this.kill("SIGKILL");
      await this.#done;
      throw new Error(`${this.name} did not end: ${this.#describe()}`);
    }
    return result;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#ended) this.kill("SIGKILL");
    await this.#done;
  }
}

/** Start the program of task `name` with `args`. */
export function start(name: string, args: string[] = [], options: StartOptions = {}): Started {
  return new Started(name, args, options);
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
 * Wait until process `pid` has a child and return its pid. Polls /proc
 * (there is no event for "a process started a child"); fails after
 * HANG_DEADLINE_MS.
 */
export async function waitForChildOf(pid: number): Promise<number> {
  const deadline = Date.now() + HANG_DEADLINE_MS;
  for (;;) {
    const children = childrenOf(pid);
    if (children.length > 0) return children[0];
    if (Date.now() > deadline) throw new Error(`process ${pid} started no child`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
