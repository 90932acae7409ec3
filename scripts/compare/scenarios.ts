/**
 * How `deno task compare` runs each of the nine C originals and its port:
 * the same input, and the same peer (the other program of a pair, always
 * the C original, untraced, so one peer serves both sides), in a fresh
 * temp directory with a random SysV key. Each scenario runs the program to
 * its end, as a person at a terminal would.
 *
 * @module
 */
import { formatKey } from "../../lib/keys.ts";
import { buildOriginal, cProgram, type Original, requireTool } from "../c_originals.ts";
import { type Finished, TaskProcess, taskProgram } from "../task_process.ts";
import { ROOT, taskArgv } from "../tasks.ts";

/** Which side a run is: the C original or its port. */
export type Side = "c" | "port";

/** How a side should end: an exit code, or (the C) a signal. */
export interface Ending {
  code?: number;
  signal?: Deno.Signal;
}

/** Everything one side of a scenario needs: where, which key, how to start programs. */
export class Run {
  /** The programs this run built for its key, deleted by {@link Run.dispose}. */
  readonly #builds: string[] = [];
  readonly #started: TaskProcess[] = [];

  /**
   * A run of `side` in directory `dir` with SysV key `key`; `preload` is
   * the built interposer (scripts/compare/ipc_trace_preload.c).
   */
  constructor(
    readonly side: Side,
    readonly original: Original,
    readonly dir: string,
    readonly key: number,
    readonly preload: string,
  ) {}

  /** The key as the ports take it, `0x%08x`. */
  get keyText(): string {
    return formatKey(this.key);
  }

  async #build(name: string): Promise<string> {
    const keyed = SHM_PROGRAMS.has(name);
    const path = await buildOriginal(name, keyed ? { SHMKEY: this.keyText } : {});
    if (keyed) this.#builds.push(path);
    return path;
  }

  /** Start the program compared, traced, with `args` (the port also gets `--key`). */
  async start(args: string[] = []): Promise<TaskProcess> {
    const name = this.original.name;
    let p: TaskProcess;
    if (this.side === "c") {
      const env = { IPC_TRACE: "1", LD_PRELOAD: this.preload };
      p = new TaskProcess(name, cProgram(await this.#build(name), args, this.dir, env));
    } else {
      const extra = SHM_PROGRAMS.has(name) ? ["--key", this.keyText] : [];
      p = new TaskProcess(
        this.original.port,
        taskProgram(this.original.port, [...args, ...extra], {
          cwd: this.dir,
          env: { IPC_TRACE: "1" },
        }),
      );
    }
    this.#started.push(p);
    return p;
  }

  /** Start the C original `name` untraced, as the peer of the program compared. */
  async peer(name: string, args: string[] = []): Promise<TaskProcess> {
    const env = { IPC_TRACE: "", LD_PRELOAD: "" };
    const p = new TaskProcess(name, cProgram(await this.#build(name), args, this.dir, env));
    this.#started.push(p);
    return p;
  }

  /**
   * Kill whatever still runs, remove the segment of our key if one is
   * left (with the project's `ipcrm -M`), and delete the builds made for
   * the key.
   */
  async dispose(): Promise<void> {
    for (const p of this.#started) await p[Symbol.asyncDispose]();
    if (SHM_PROGRAMS.has(this.original.name)) {
      const rm = new TaskProcess("ipcrm", taskProgram("ipcrm", ["-M", this.keyText]));
      await rm.closeStdin();
      const done = await rm.finish();
      if (done.code !== 0 && !done.stderr.includes("no shared memory segment with this key")) {
        throw new Error(`ipcrm -M ${this.keyText} failed: ${done.stderr}`);
      }
    }
    for (const path of this.#builds) await Deno.remove(path).catch(() => {});
  }
}

/** The originals built with `-DSHMKEY=...` (their ports take `--key`). */
const SHM_PROGRAMS = new Set(["shmproc1", "shmproc2", "write_shm", "read_shm"]);

/** Make a FIFO with coreutils' mkfifo (the C originals expect it to exist). */
async function mkfifo(path: string): Promise<void> {
  const out = await new Deno.Command(requireTool("mkfifo"), { args: [path], stderr: "piped" })
    .output();
  if (!out.success) throw new Error(`mkfifo ${path}: ${new TextDecoder().decode(out.stderr)}`);
}

/** A pattern matching text in which `needle` occurs `n` times. */
function times(needle: string, n: number): RegExp {
  const escaped = needle.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^(?:[^]*?${escaped}){${n}}`);
}

/** One program's scenario. */
export interface Scenario {
  /** What it types and which peer it talks to, for the output's heading. */
  input: string;
  /** How each side should end. */
  ending: Record<Side, Ending>;
  /** Run one side; returns how the traced program ended. */
  run(r: Run): Promise<Finished>;
}

const OK: Record<Side, Ending> = { c: { code: 0 }, port: { code: 0 } };

/** Write lines to a writer, one after each `text:` prompt, each read by the reader in turn. */
async function converse(writer: TaskProcess, reader: TaskProcess, lines: string[]): Promise<void> {
  const seen: string[] = [];
  for (const [k, line] of lines.entries()) {
    await writer.waitFor(times("text:", k + 1));
    await writer.write(`${line}\n`);
    if (line === "quit") break;
    seen.push(line);
    await reader.waitFor(seen.map((l) => `${l}\n`).join(""));
  }
}

const FIFO_LINES = ["hello", "world", "quit"];

/** The nine scenarios, by the original's name. */
export const SCENARIOS: Record<string, Scenario> = {
  pipe_parent_child: {
    input: "none",
    ending: OK,
    async run(r) {
      const p = await r.start();
      await p.closeStdin();
      return await p.finish();
    },
  },
  cpipe: {
    input: "`ls wc`, in a directory holding two files",
    ending: OK,
    async run(r) {
      await Deno.writeTextFile(`${r.dir}/a.txt`, "a\n");
      await Deno.writeTextFile(`${r.dir}/b.txt`, "b\n");
      const p = await r.start(["ls", "wc"]);
      await p.closeStdin();
      return await p.finish();
    },
  },
  writefifo: {
    input: `${FIFO_LINES.join(", ")}, one after each \`text:\`; peer: readfifo (C) on testfifo`,
    ending: OK,
    async run(r) {
      await mkfifo(`${r.dir}/testfifo`);
      const reader = await r.peer("readfifo");
      const p = await r.start();
      await converse(p, reader, FIFO_LINES);
      const done = await p.finish();
      await reader.finish();
      return done;
    },
  },
  readfifo: {
    input: `peer: writefifo (C) on testfifo, sent ${FIFO_LINES.join(", ")}`,
    ending: OK,
    async run(r) {
      await mkfifo(`${r.dir}/testfifo`);
      const p = await r.start();
      const writer = await r.peer("writefifo");
      await converse(writer, p, FIFO_LINES);
      await writer.finish();
      return await p.finish();
    },
  },
  shmproc1: {
    input: "ENTER, after shmproc2 (C) has printed the text",
    ending: OK,
    async run(r) {
      const p = await r.start();
      await p.waitFor("press ENTER");
      const reader = await r.peer("shmproc2");
      await reader.waitFor("Press ENTER");
      await reader.write("\n");
      await reader.waitFor("This is a test");
      await reader.finish();
      await p.write("\n");
      return await p.finish();
    },
  },
  shmproc2: {
    input: "ENTER, while shmproc1 (C) holds the segment",
    ending: OK,
    async run(r) {
      const writer = await r.peer("shmproc1");
      await writer.waitFor("press ENTER");
      const p = await r.start();
      await p.waitFor("Press ENTER");
      await p.write("\n");
      const done = await p.finish();
      await writer.write("\n");
      await writer.finish();
      return done;
    },
  },
  write_shm: {
    input: "none (the segment it leaves is removed afterwards)",
    ending: OK,
    async run(r) {
      const p = await r.start();
      await p.closeStdin();
      return await p.finish();
    },
  },
  read_shm: {
    input: "none; write_shm (C) has left its message",
    ending: OK,
    async run(r) {
      const writer = await r.peer("write_shm");
      await writer.closeStdin();
      await writer.finish();
      const p = await r.start();
      await p.closeStdin();
      return await p.finish();
    },
  },
  mmap_ex2: {
    input: "`s`; types `hello`, then `*`; Ctrl+C (SIGINT) at the next prompt",
    ending: { c: { signal: "SIGINT" }, port: { code: 130 } },
    async run(r) {
      const prompt = "otherwise input text to mmap. >>";
      const p = await r.start(["s"]);
      await p.waitFor(times(prompt, 1));
      await p.write("hello\n");
      await p.waitFor(times(prompt, 2));
      await p.write("*\n");
      await p.waitFor(times(prompt, 3));
      p.kill("SIGINT");
      return await p.finish();
    },
  },
};

/**
 * Run one side of `original`'s scenario in a fresh temp directory, with
 * SysV key `key`; returns how the traced program ended (its stderr holds
 * the trace). Removes everything it made.
 *
 * @example
 * ```ts ignore
 * import { original } from "../c_originals.ts";
 * import { runSide } from "./scenarios.ts";
 * const done = await runSide("port", original("shmproc1"), 0x1234, "/path/to/preload");
 * console.log(done.stderr);
 * ```
 */
export async function runSide(
  side: Side,
  o: Original,
  key: number,
  preload: string,
): Promise<Finished> {
  const dir = await Deno.makeTempDir({ prefix: `ipc-lab-compare-${o.name}-${side}-` });
  const r = new Run(side, o, dir, key, preload);
  try {
    return await SCENARIOS[o.name].run(r);
  } finally {
    try {
      await r.dispose();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
}

/**
 * What is wrong with how a side ended (`undefined` when it ended as
 * expected), e.g. "exited with code 1, expected code 0".
 *
 * @example
 * ```ts
 * import { endingProblem } from "./scenarios.ts";
 * endingProblem({ code: 0 }, { code: 1, signal: null, stdout: "", stderr: "" });
 * // "exited with code 1, expected code 0"
 * ```
 */
export function endingProblem(want: Ending, got: Finished): string | undefined {
  const how = got.signal ? `was killed by ${got.signal}` : `exited with code ${got.code}`;
  if (want.signal !== undefined) {
    return got.signal === want.signal ? undefined : `${how}, expected ${want.signal}`;
  }
  return got.signal === null && got.code === want.code
    ? undefined
    : `${how}, expected code ${want.code}`;
}

/** The port's source file (the `.ts` its task runs), relative to the root. */
export function portSource(o: Original): string {
  const file = taskArgv(o.port).find((w) => w.endsWith(".ts"));
  if (!file) throw new Error(`task ${o.port} runs no .ts file`);
  return file;
}

/** The port's source text, read from the project. */
export function readPortSource(o: Original): Promise<string> {
  return Deno.readTextFile(`${ROOT}/${portSource(o)}`);
}
