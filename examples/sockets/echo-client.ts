/**
 * echo-client: the client of echo-server and echo-server-deno.
 *
 * Demonstrates: `socket` + `connect` to the server's path; then the socket
 * is an ordinary descriptor: each line from stdin is `write`n to it and the
 * echo is `read` back (a stream has no message boundaries, so the client
 * reads until it has the whole line) and printed as `echo: <line>`. At EOF
 * on stdin it closes the socket, which the server sees as EOF.
 *
 * Run: `deno task echo-server` in one terminal, `deno task echo-client` in
 * another (same directory, or the same `--path`).
 *
 * Where it departs from the C and why:
 * - Nobody at the path (ENOENT) or a stale socket file (ECONNREFUSED) is
 *   reported as "no echo server at PATH", exit 1.
 * - A server that goes away is reported, exit 1: EOF before the echo came
 *   back, or EPIPE/ECONNRESET on write (Deno ignores SIGPIPE, so the write
 *   fails instead of killing the process, which C would need `MSG_NOSIGNAL`
 *   or `signal(SIGPIPE, SIG_IGN)` for).
 * - Reads wait signal-friendly (`readAsync`), so Ctrl+C works (exit 130).
 *
 * Ports: beyond the seeds (seed 002 counts sockets among the kinds of IPC);
 * the classic C echo client.
 *
 * @module
 */
import {
  chomp,
  Errno,
  exitOnSignals,
  type Fd,
  LibcError,
  LineReader,
  readAsync,
  runMain,
  setTraceRole,
  UsageError,
  writeAll,
} from "../../lib/libc.ts";
import { connectUnix } from "../../lib/socket.ts";
import { ECHO_PATH, takeSocketPath } from "./socket_args.ts";

const USAGE = "usage: echo-client [--path FILE]";

class ServerGone extends Error {}

function connectOrExplain(path: string): Fd {
  try {
    // fd = socket(AF_UNIX, SOCK_STREAM, 0); connect(fd, &addr, sizeof addr);
    return connectUnix(path);
  } catch (e) {
    if (e instanceof LibcError && (e.errno === Errno.ENOENT || e.code === "ECONNREFUSED")) {
      throw new Error(`no echo server at ${path} (${e.code}): start echo-server first`);
    }
    throw e;
  }
}

async function main(args: string[]): Promise<number> {
  setTraceRole("client");
  const path = takeSocketPath(args, ECHO_PATH);
  if (args.length > 0) throw new UsageError(USAGE);
  exitOnSignals();
  using socket = connectOrExplain(path);

  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const stdin = new LineReader(0);
  const chunk = new Uint8Array(4096);
  let pending = new Uint8Array(0);
  try {
    for (let line; (line = await stdin.readLine()) !== null;) {
      const text = chomp(line);
      writeAll(socket.fd, encoder.encode(`${text}\n`)); // write(fd, line, len);
      // read(fd, buf, ...) until the whole line is back
      let newline: number;
      while ((newline = pending.indexOf(10)) === -1) {
        const n = await readAsync(socket.fd, chunk);
        if (n === 0) throw new ServerGone("EOF");
        const joined = new Uint8Array(pending.length + n);
        joined.set(pending);
        joined.set(chunk.subarray(0, n), pending.length);
        pending = joined;
      }
      console.log(`echo: ${decoder.decode(pending.subarray(0, newline))}`);
      pending = pending.slice(newline + 1);
    }
  } catch (e) {
    const gone = e instanceof ServerGone ? "EOF" : e instanceof LibcError &&
        (e.errno === Errno.EPIPE || e.code === "ECONNRESET")
      ? e.code
      : undefined;
    if (gone === undefined) throw e;
    throw new Error(`the server closed the connection (${gone})`);
  }
  return 0;
}

if (import.meta.main) {
  await runMain("echo-client", () => main([...Deno.args]));
}
