/**
 * Where the user ran the program from. `deno task` runs every task from the
 * project's root but sets `INIT_CWD` to the user's directory; files that the
 * C originals make "in the current directory" (`testfifo`, `shared_mmap`)
 * belong there, not in the repository.
 *
 * @module
 */

/**
 * The user's directory: `INIT_CWD` when set and readable (run through
 * `deno task`), else `"."` (the process's own working directory).
 *
 * @example
 * ```ts
 * import { invocationDirectory } from "./cwd.ts";
 * const fifoPath = `${invocationDirectory()}/testfifo`;
 * ```
 */
export function invocationDirectory(): string {
  const status = Deno.permissions.querySync({
    name: "env",
    variable: "INIT_CWD",
  });
  if (status.state !== "granted") return ".";
  return Deno.env.get("INIT_CWD") || ".";
}

/**
 * Resolve `name` against {@link invocationDirectory} unless it is absolute.
 *
 * @example
 * ```ts
 * import { inInvocationDirectory } from "./cwd.ts";
 * inInvocationDirectory("testfifo"); // "/home/me/testfifo" under deno task
 * ```
 */
export function inInvocationDirectory(name: string): string {
  if (name.startsWith("/")) return name;
  const dir = invocationDirectory();
  return dir === "." ? name : `${dir.replace(/\/$/, "")}/${name}`;
}
