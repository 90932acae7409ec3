// deno-lint-ignore-file no-unused-vars
// EXERCISE 14: echo-client (seed 002 names sockets; the classic C echo client)
// Make the socket, connect it to the server's path, send each line and read its echo back, then close the socket.
// Replace each todo(...) with the call it describes. Check: `deno task exercise check echo-client`; a hint: `deno task exercise hint echo-client`.
import { todo } from "../../exercises/todo.ts";
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
 * another (same directory, or the same `--path`), and type lines (on a
 * terminal it says so once connected; Ctrl+D ends).
 *
 * Where it departs from the C and why:
 * - The socket is made with SOCK_CLOEXEC (no child would inherit it) and
 *   SOCK_NONBLOCK: no call waits inside FFI, so Ctrl+C always works (exit
 *   130). `connect` to a server whose backlog is full is tried again after
 *   a short pause (`connectAsync`), and a line the server does not take in
 *   at once waits for POLLOUT (`writeAllAsync`) instead of blocking in
 *   `write`.
 * - Nobody at the path (ENOENT) or a stale socket file (ECONNREFUSED) is
 *   reported as "no echo server at PATH", exit 1.
 * - A server that goes away is reported, exit 1: EOF before the echo came
 *   back, or EPIPE/ECONNRESET on write (Deno ignores SIGPIPE, so the write
 *   fails instead of killing the process, which C would need `MSG_NOSIGNAL`
 *   or `signal(SIGPIPE, SIG_IGN)` for).
 * - Lines are read with `LineReader` (lib/stdin.ts), from stdin and from
 *   the socket alike: `read` into a buffer, split at newlines, the rest kept
 *   for the next line (C's `fgets` on a `fdopen`ed socket does the same).
 *   Its reads wait signal-friendly (`poll` in short slices), so Ctrl+C
 *   works (exit 130).
 *
 * Ports: beyond the seeds (seed 002 counts sockets among the kinds of IPC);
 * the classic C echo client.
 *
 * @module
 */
import {
  chomp,
  connectAsync,
  Errno,
  exitOnSignals,
  LibcError,
  LineReader,
  runMain,
  setTraceRole,
  socket,
  terminalHint,
  UsageError,
  writeAllAsync,
} from "../../lib/libc.ts";
import { ECHO_PATH, takeSocketPath } from "../../examples/sockets/socket_args.ts";

const USAGE = "usage: echo-client [--path FILE]";

class ServerGone extends Error {}

async function main(args: string[]): Promise<number> {
  setTraceRole("client");
  const path = takeSocketPath(args, ECHO_PATH);
  if (args.length > 0) throw new UsageError(USAGE);
  exitOnSignals();

  // fd = socket(AF_UNIX, SOCK_STREAM, 0);
  using server = todo<ReturnType<typeof socket>>(
    "make a Unix stream socket, non-blocking (C: fd = socket(AF_UNIX, SOCK_STREAM, 0))",
  );
  const fd = server.fd;
  try {
    // strcpy(addr.sun_path, PATH); connect(fd, (struct sockaddr *) &addr, sizeof addr);
    await todo<Promise<void>>(
      "connect fd to the socket file at path (C: connect(fd, &addr, sizeof addr))",
    );
  } catch (e) {
    if (e instanceof LibcError && (e.errno === Errno.ENOENT || e.code === "ECONNREFUSED")) {
      throw new Error(`no echo server at ${path} (${e.code}): start echo-server first`);
    }
    throw e;
  }

  const encoder = new TextEncoder();
  terminalHint(`echo-client: connected to ${path}; type lines to send, Ctrl+D ends`);
  const stdin = new LineReader(0);
  const replies = new LineReader(fd);
  try {
    // while (fgets(line, sizeof line, stdin) != NULL) {
    for (let line; (line = await stdin.readLine()) !== null;) {
      const text = chomp(line);
      // write(fd, line, strlen(line));
      await todo<Promise<void>>(
        "send text and a newline to the server (C: write(fd, line, strlen(line)))",
      );
      // read(fd, buf, ...) until the whole line is back
      const echo = await todo<Promise<string | null>>(
        "read the echo from the socket up to its newline (C: read(fd, buf, ...))",
      );
      if (echo === null || !echo.endsWith("\n")) throw new ServerGone("EOF");
      console.log(`echo: ${echo.slice(0, -1)}`);
    }
  } catch (e) {
    const gone = e instanceof ServerGone ? "EOF" : e instanceof LibcError &&
        (e.errno === Errno.EPIPE || e.code === "ECONNRESET")
      ? e.code
      : undefined;
    if (gone === undefined) throw e;
    throw new Error(`the server closed the connection (${gone})`);
  }
  // close(fd);
  todo("close the socket: the server then reads end-of-file (C: close(fd))");
  return 0;
}

if (import.meta.main) {
  await runMain("echo-client", () => main([...Deno.args]), { usage: USAGE });
}
