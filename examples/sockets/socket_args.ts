/**
 * Options shared by the socket examples: `--path` (the socket file, in the
 * directory the user ran the task from) and `--clients N`.
 *
 * Run: not a program; the socket examples import it. Beyond the seeds
 * (seed 002 counts sockets among the kinds of IPC).
 *
 * @module
 */
// Only FFI-free modules here: echo-server-deno uses this without --allow-ffi.
import { parseInteger, takeOption, UsageError } from "../../lib/args.ts";
import { inInvocationDirectory } from "../../lib/cwd.ts";

/** Bytes of `sun_path` in `struct sockaddr_un` (lib/socket.ts SUN_PATH_MAX). */
const SUN_PATH_MAX = 108;

/** The echo examples' default socket file, like the FIFO examples' `testfifo`. */
export const ECHO_PATH = "echo.sock";

/** The fd-passing examples' default socket file. */
export const FD_PASS_PATH = "fd-pass.sock";

/** Take `--path` (default `fallback`), resolved against the user's directory. */
export function takeSocketPath(args: string[], fallback: string): string {
  const path = inInvocationDirectory(takeOption(args, "path") ?? fallback);
  if (new TextEncoder().encode(path).length >= SUN_PATH_MAX) {
    throw new UsageError(
      `--path: ${path} is too long for a Unix socket address (at most ${SUN_PATH_MAX - 1} bytes)`,
    );
  }
  return path;
}

/** Take `--clients N` (a positive count), or `undefined` for "serve forever". */
export function takeClientCount(args: string[]): number | undefined {
  const text = takeOption(args, "clients");
  if (text === undefined) return undefined;
  const n = parseInteger(text, "--clients");
  if (n <= 0) throw new UsageError("--clients: must be a positive number");
  return n;
}
