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
 * - Every socket is non-blocking: the listening one, and each client's
 *   (`accept4` with SOCK_NONBLOCK), and the `poll` waits in short slices
 *   (`pollAsync` of lib/fd.ts): a blocking `accept`, `poll`, `read` or
 *   `write` through FFI would freeze the runtime, and Ctrl+C could not
 *   unlink the socket.
 * - A client that sends but does not read: the part of its echo that does
 *   not fit into the socket waits in the server, and that client's slot in
 *   the `poll` table asks for POLLOUT instead of POLLIN until it is written
 *   (so the server also stops reading from it). The server says so once
 *   ("client N is not reading its echo"); the other clients and Ctrl+C go
 *   on. The C's blocking `write` would stop the whole server there.
 * - Sockets are made with SOCK_CLOEXEC. A client that vanished (SIGKILL, a
 *   crash) makes `read`/`write` fail with ECONNRESET/EPIPE (Deno ignores
 *   SIGPIPE): that client is closed ("client N disconnected"), the server
 *   goes on.
 * - A path already taken (`bind`: EADDRINUSE): a socket file nobody
 *   accepts on (a probe `connect` is refused: its server was SIGKILLed and
 *   could not unlink it) is taken over, saying so on stderr: `unlink`, then
 *   `bind` again. A live server there, or a file that is not a socket, is
 *   explained, exit 1, and the file is left alone.
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
  socketFileState,
  unlink,
  unlinkIfExists,
  UsageError,
  write,
} from "../../lib/libc.ts";
import {
  ECHO_PATH,
  pathTaken,
  takeClientCount,
  takeSocketPath,
  takingOver,
} from "./socket_args.ts";

const USAGE = "usage: echo-server [--path FILE] [--clients N]";

/** A connected client: its socket, its number, the echo not yet written. */
interface Client {
  conn: Fd;
  number: number;
  pending: Uint8Array | null;
  /** Whether "not reading its echo" was said already. */
  slow: boolean;
}

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
    if (!(e instanceof LibcError && e.code === "EADDRINUSE")) throw e;
    // Not in the C: is it a socket file its server left when it was SIGKILLed?
    const state = socketFileState(path); // lstat, then a probe connect: refused?
    if (state !== "stale" && state !== "missing") {
      throw new Error(pathTaken(path, state, "echo server"));
    }
    if (state === "stale") {
      console.error(takingOver("echo-server", path));
      // unlink(PATH);
      unlink(path);
    }
    // bind(fd, (struct sockaddr *) &addr, sizeof addr);
    bind(fd, path);
  }
  const removal = onCleanup(`unlink ${path}`, () => unlinkIfExists(path)); // Ctrl+C, errors
  // listen(fd, 16);
  listen(fd, 16);
  console.log(`echo-server: listening on ${path}`);

  // Each client: its connected socket, its number, and the part of its echo
  // that did not fit into the socket yet (null: none; poll waits for POLLIN).
  const clients = new Map<number, Client>();
  let accepted = 0;
  let finished = 0;
  const buffer = new Uint8Array(4096);
  try {
    while (limit === undefined || finished < limit) {
      // poll({listen fd, client fds...}, nfds, -1);  -- in slices, see the header
      const entries = [
        { fd, events: POLL.IN },
        ...[...clients.values()].map((c) => ({
          fd: c.conn.fd,
          events: c.pending === null ? POLL.IN : POLL.OUT, // a pending echo: room for it first
        })),
      ];
      const revents = await pollAsync(entries);
      if (revents[0] !== 0) {
        // cfd = accept(fd, NULL, NULL);
        const conn = accept(fd, { nonblock: true });
        if (conn !== null) {
          clients.set(conn.fd, { conn, number: ++accepted, pending: null, slow: false });
          console.log(`client ${accepted} connected`);
        }
      }
      for (let i = 1; i < entries.length; i++) {
        if (revents[i] === 0) continue;
        const client = clients.get(entries[i].fd)!;
        const cfd = client.conn.fd;
        let open = true;
        try {
          if (client.pending === null) {
            // n = read(cfd, buf, sizeof buf);
            const n = read(cfd, buffer);
            if (n === 0) open = false; // EOF: the client closed
            else client.pending = buffer.slice(0, n);
          }
          if (client.pending !== null) {
            // write(cfd, buf, n);  -- non-blocking: what does not fit waits for POLLOUT
            let n = 0;
            try {
              n = write(cfd, client.pending);
            } catch (e) {
              if (!(e instanceof LibcError && e.errno === Errno.EAGAIN)) throw e;
            }
            client.pending = n === client.pending.length ? null : client.pending.subarray(n);
            if (client.pending !== null && !client.slow) {
              client.slow = true;
              console.log(
                `client ${client.number} is not reading its echo: it waits, the others go on`,
              );
            }
          }
        } catch (e) {
          if (!(e instanceof LibcError)) throw e;
          if (e.errno !== Errno.EPIPE && e.code !== "ECONNRESET") throw e;
          open = false; // the client vanished (SIGKILL, a crash)
        }
        if (!open) {
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
  await runMain("echo-server", () => main([...Deno.args]), { usage: USAGE });
}
