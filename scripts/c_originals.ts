/**
 * The C originals that ship beside their ports (`examples/<topic>/*.c`):
 * which they are, how to build them with the system's `cc`, and how to run
 * one the way a person at a terminal would. Used by the interop tests and
 * by `deno task compare`.
 *
 * Builds are cached in the system's temp directory under a name that
 * hashes the source and the `-D` macros, so each original is compiled once
 * and rebuilt only when its source changes (also safe when the test files
 * run as threads of one process: a build is renamed into place atomically).
 *
 * @module
 */
import { ROOT } from "./tasks.ts";
import type { Program } from "./task_process.ts";

/** One C original and the task of its port. */
export interface Original {
  /** The program's name, as the seed calls it (`shmproc1`, `mmap_ex2`). */
  name: string;
  /** Its source, relative to the project root. */
  source: string;
  /** The `deno task` of its port. */
  port: string;
}

/** The nine originals, in course order. */
export const ORIGINALS: readonly Original[] = [
  {
    name: "pipe_parent_child",
    source: "examples/pipes/pipe_parent_child.c",
    port: "pipe-parent-child",
  },
  { name: "cpipe", source: "examples/pipes/cpipe.c", port: "cpipe" },
  { name: "writefifo", source: "examples/fifo/writefifo.c", port: "writefifo" },
  { name: "readfifo", source: "examples/fifo/readfifo.c", port: "readfifo" },
  { name: "shmproc1", source: "examples/sysv-shm/shmproc1.c", port: "shmproc1" },
  { name: "shmproc2", source: "examples/sysv-shm/shmproc2.c", port: "shmproc2" },
  { name: "write_shm", source: "examples/sysv-shm/write_shm.c", port: "write-shm" },
  { name: "read_shm", source: "examples/sysv-shm/read_shm.c", port: "read-shm" },
  { name: "mmap_ex2", source: "examples/mmap/mmap_ex2.c", port: "mmap-ex2" },
];

/** The original called `name` (or its port's task name). */
export function original(name: string): Original {
  const found = ORIGINALS.find((o) => o.name === name || o.port === name);
  if (found === undefined) {
    throw new Error(
      `no C original called ${name}; there are: ${ORIGINALS.map((o) => o.name).join(", ")}`,
    );
  }
  return found;
}

/** What to install when a tool the originals need is missing. */
const PACKAGES: Record<string, string> = {
  cc: "a C compiler: Debian/Ubuntu `sudo apt-get install gcc`, Fedora `sudo dnf install gcc`",
  stdbuf: "coreutils (`stdbuf`): Debian/Ubuntu `sudo apt-get install coreutils`",
  mkfifo: "coreutils (`mkfifo`): Debian/Ubuntu `sudo apt-get install coreutils`",
};

/** The full path of `tool` in PATH, or a clear error naming the package to install. */
export function requireTool(tool: string): string {
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")) {
    const path = `${dir || "."}/${tool}`;
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // not in this directory
    }
  }
  throw new Error(
    `the C originals need \`${tool}\`, which is not in PATH: install ${PACKAGES[tool] ?? tool}`,
  );
}

/** Where builds are cached. */
export function buildDir(): string {
  const tmp = Deno.env.get("TMPDIR") || "/tmp";
  return `${tmp}/ipc-lab-c-build`;
}

async function hashOf(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest).slice(0, 8), (b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/**
 * Compile `source` (a path relative to the root, or an absolute one) with
 * `cc` and these `-D` macros; returns the executable's path. Reuses a
 * build of the same source and macros.
 */
export async function buildC(
  source: string,
  defines: Record<string, string | number> = {},
  extraFlags: string[] = [],
): Promise<string> {
  const cc = requireTool("cc");
  const path = source.startsWith("/") ? source : `${ROOT}/${source}`;
  const text = await Deno.readTextFile(path);
  const flags = [
    ...Object.entries(defines).map(([k, v]) => `-D${k}=${v}`),
    ...extraFlags,
  ];
  const base = path.slice(path.lastIndexOf("/") + 1).replace(/\.c$/, "");
  const dir = buildDir();
  const target = `${dir}/${base}-${await hashOf(`${text}\0${flags.join("\0")}`)}`;
  try {
    await Deno.stat(target);
    return target;
  } catch {
    // not built yet
  }
  await Deno.mkdir(dir, { recursive: true });
  const temp = `${target}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  const out = await new Deno.Command(cc, {
    args: ["-O2", "-o", temp, path, ...flags],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `cc could not build ${source}:\n${new TextDecoder().decode(out.stderr)}`,
    );
  }
  await Deno.rename(temp, target); // atomic: a parallel build of the same file is identical
  return target;
}

/**
 * Build the original `name` (see {@link ORIGINALS}) with these `-D` macros
 * (`{ SHMKEY: "0x1234" }`); returns the executable's path.
 */
export function buildOriginal(
  name: string,
  defines: Record<string, string | number> = {},
): Promise<string> {
  return buildC(original(name).source, defines);
}

/**
 * How a person at a terminal runs `executable args...` in `cwd`: with
 * stdout line-buffered and stdin unbuffered (`stdbuf -oL -i0`), as stdio
 * does on a terminal. Through a pipe stdio would buffer stdout fully, and a
 * prompt such as shmproc1's would appear only at exit.
 */
export function cProgram(
  executable: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Program {
  return {
    command: requireTool("stdbuf"),
    args: ["-oL", "-i0", executable, ...args],
    cwd,
    env,
  };
}
