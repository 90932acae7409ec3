/**
 * Options shared by the socket examples: `--path` (the socket file, in the
 * directory the user ran the task from) and `--clients N`; and the words the
 * servers share when they find their socket path taken.
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

/**
 * What a server says when it takes over a socket file whose server is gone
 * (SIGKILLed: it could not `unlink` it): `connect` to it is refused.
 */
export function takingOver(program: string, path: string): string {
  return `${program}: ${path} was left by a server that is gone (nobody accepts on it); taking it over`;
}

/**
 * Why a server refuses a socket path it found taken: `"live"` (somebody
 * accepts connections there) or a file type word (`"regular file"`...:
 * not a socket, never removed). `server` names who may hold it.
 */
export function pathTaken(path: string, state: string, server: string): string {
  if (state === "live") {
    return `${path} already exists and a server accepts connections on it: is another ${server} running?`;
  }
  return `${path} already exists and is a ${state}, not a socket: not removing it (remove it yourself or choose another --path)`;
}
