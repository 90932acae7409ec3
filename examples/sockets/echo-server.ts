/**
 * echo-server: a Unix domain stream socket server through libc, serving
 * several clients at once with `poll`.
 *
 * Ports: no C program of the seeds (seed 002 counts sockets as the fifth
 * kind of IPC); this is the classic C echo server: `socket(AF_UNIX,
 * SOCK_STREAM)`, `bind` to a path, `listen`, then a `poll` loop over the
 * listening socket and every connection: `accept` new clients, `read` from
 * the ready ones and `write` the same bytes back.
 *
 * Demonstrates: a socket file is just the *address*: `bind` creates it,
 * the server must `unlink` it when done (or the next `bind` fails with
 * EADDRINUSE). Each client gets its own connected descriptor from `accept`;
 * data flows both ways on it, as on two pipes. EOF (`read` = 0) means the
 * client closed.
 *
 * Run (two terminals): `deno task echo-server` (makes `echo.sock` in the
 * directory you run it from), then `deno task echo-client` and type lines.
 * `--path FILE` chooses another socket file; `--clients N` ends the server
 * after N clients have come and gone (tests). Ctrl+C removes the socket file.
 * The same server through Deno's own API: examples/sockets/echo-server-deno.ts.
 *
 * Where it departs from the C and why:
 * - The listening socket is non-blocking and the `poll` waits in short
 *   slices (`pollAsync` of lib/fd.ts): a blocking `accept`/`poll` through
 *   FFI would freeze the runtime, and Ctrl+C could not unlink the socket.
 * - Sockets are made with SOCK_CLOEXEC; writes use the checked `writeAll`
 *   (EPIPE from a vanished client closes that client instead of killing the
 *   server: Deno ignores SIGPIPE).
 * - A path already taken (`bind`: EADDRINUSE) is explained ("already
 *   exists: is another server running?"), exit 1, and the file is left alone.
 * - Right after `bind`, the port registers the socket file's removal as a
 *   cleanup, so Ctrl+C, SIGTERM or an error still unlinks it; at the normal
 *   end it calls `close` and `unlink` itself, as the C does.
 *
 * @module
 */
import {
  accept,
  bind,
  Errno,
  exitOnSignals,
  type Fd,
  LibcError,
  listen,
  onCleanup,
  POLL,
  pollAsync,
  read,
  runMain,
  setTraceRole,
  socket,
  unlink,
  unlinkIfExists,
  UsageError,
  writeAll,
} from "../../lib/libc.ts";
import { ECHO_PATH, takeClientCount, takeSocketPath } from "./socket_args.ts";

const USAGE = "usage: echo-server [--path FILE] [--clients N]";

async function main(args: string[]): Promise<number> {
  setTraceRole("server");
  const path = takeSocketPath(args, ECHO_PATH);
  const limit = takeClientCount(args);
  if (args.length > 0) throw new UsageError(USAGE);
  exitOnSignals();

  // fd = socket(AF_UNIX, SOCK_STREAM, 0);
  using server = socket({ nonblock: true });
  const fd = server.fd;
  try {
    // strcpy(addr.sun_path, PATH); bind(fd, (struct sockaddr *) &addr, sizeof addr);
    bind(fd, path); // creates the socket file
  } catch (e) {
    if (e instanceof LibcError && e.code === "EADDRINUSE") {
      throw new Error(
        `${path} already exists: is another server running? (if not, remove the stale file)`,
      );
    }
    throw e;
  }
  const removal = onCleanup(`unlink ${path}`, () => unlinkIfExists(path)); // Ctrl+C, errors
  // listen(fd, 16);
  listen(fd, 16);
  console.log(`echo-server: listening on ${path}`);

  const clients = new Map<number, { conn: Fd; number: number }>();
  let accepted = 0;
  let finished = 0;
  const buffer = new Uint8Array(4096);
  try {
    while (limit === undefined || finished < limit) {
      // poll({listen fd, client fds...}, nfds, -1);  -- in slices, see the header
      const entries = [fd, ...clients.keys()].map((d) => ({ fd: d, events: POLL.IN }));
      const revents = await pollAsync(entries);
      if (revents[0] !== 0) {
        // cfd = accept(fd, NULL, NULL);
        const conn = accept(fd);
        if (conn !== null) {
          clients.set(conn.fd, { conn, number: ++accepted });
          console.log(`client ${accepted} connected`);
        }
      }
      for (let i = 1; i < entries.length; i++) {
        if (revents[i] === 0) continue;
        const client = clients.get(entries[i].fd)!;
        let n: number;
        try {
          n = read(client.conn.fd, buffer); // n = read(cfd, buf, sizeof buf);
          if (n > 0) writeAll(client.conn.fd, buffer.subarray(0, n)); // write(cfd, buf, n);
        } catch (e) {
          if (!(e instanceof LibcError)) throw e;
          if (e.errno !== Errno.EPIPE && e.code !== "ECONNRESET") throw e;
          n = 0;
        }
        if (n === 0) {
          console.log(`client ${client.number} disconnected`);
          client.conn.close(); // close(cfd);
          clients.delete(entries[i].fd);
          finished++;
        }
      }
    }
  } finally {
    for (const { conn } of clients.values()) conn.close();
  }

  removal.done(); // removed here, not by the cleanup
  // close(fd);
  server.close();
  // unlink(PATH);
  unlink(path);
  return 0;
}

if (import.meta.main) {
  await runMain("echo-server", () => main([...Deno.args]));
}
