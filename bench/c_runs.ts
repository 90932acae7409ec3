/**
 * The C column: build bench/c/bulk.c and bench/c/pingpong.c with
 * `cc -O2` into a temporary directory at bench time, run them, and read
 * the nanoseconds each prints. Without a C compiler the column says "no cc".
 *
 * @module
 */

const SOURCES = new URL("./c/", import.meta.url);

/** Paths of the built C programs. */
export interface CPrograms {
  bulk: string;
  pingpong: string;
}

/** Build both programs into `dir` with `cc`; a reason string if impossible. */
export async function buildC(cc: string, dir: string): Promise<CPrograms | string> {
  const built: Record<string, string> = {};
  for (const name of ["bulk", "pingpong"]) {
    const out = `${dir}/${name}`;
    let result: Deno.CommandOutput;
    try {
      result = await new Deno.Command(cc, {
        args: ["-O2", "-o", out, decodeURIComponent(new URL(`${name}.c`, SOURCES).pathname)],
        stdout: "piped",
        stderr: "piped",
      }).output();
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return "no cc";
      throw e;
    }
    if (!result.success) {
      throw new Error(`${cc} failed on ${name}.c:\n${new TextDecoder().decode(result.stderr)}`);
    }
    built[name] = out;
  }
  return { bulk: built.bulk, pingpong: built.pingpong };
}

/** Run a built program; its stdout is the timed nanoseconds. */
export async function runC(program: string, args: (string | number)[]): Promise<number> {
  const result = await new Deno.Command(program, {
    args: args.map(String),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(result.stdout).trim();
  const ns = Number(text);
  if (!result.success || !Number.isFinite(ns)) {
    throw new Error(
      `${program} ${args.join(" ")} failed: ${new TextDecoder().decode(result.stderr)}`,
    );
  }
  return ns;
}
