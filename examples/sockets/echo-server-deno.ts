/**
 * echo-server-deno: echo-server.ts again, through Deno's built-in
 * `Deno.listen({ transport: "unix", path })` instead of libc, side by side.
 *
 * Demonstrates: what the runtime does for you. `Deno.listen` is `socket` +
 * `bind` + `listen`; `for await (const conn of listener)` is the `accept`
 * loop, already non-blocking and driven by the event loop (epoll), so each
 * client is simply its own async task instead of a slot in a `poll` table;
 * `conn.readable.pipeTo(conn.writable)` is the read/write echo loop. It
 * speaks the same bytes, so examples/sockets/echo-client.ts works against it
 * unchanged, and prints the same lines as echo-server.
 *
 * Run: `deno task echo-server-deno`, then `deno task echo-client`. Same
 * options as echo-server (`--path FILE`, `--clients N`).
 *
 * What it cannot do that the FFI version can: Deno's API has no
 * `sendmsg`/`SCM_RIGHTS`, so passing descriptors (fd-pass-*.ts) needs FFI.
 * Measured on Deno 2.9: `listener.close()` unlinks the socket file itself
 * (the C server must `unlink`), but on Ctrl+C the process exits without
 * closing it, so the cleanup still removes the file (`Deno.removeSync`).
 * A socket file left by a server that was SIGKILLed (`Deno.connect` to it
 * is refused) is taken over as echo-server does: said on stderr, removed,
 * listened on again; a live server or a file that is not a socket is
 * refused, exit 1. Its writes never block the runtime: `pipeTo` awaits a
 * client that does not read, and the other clients and Ctrl+C go on.
 * Permissions: `Deno.listen` on a Unix path wants --allow-net (for
 * `unix:PATH`), --allow-read and --allow-write; no --allow-ffi at all (no
 * IPC_TRACE lines either: there are no libc calls of ours to trace).
 *
 * Ports: beyond the seeds (seed 002 counts sockets among the kinds of IPC);
 * the same server as echo-server.ts, written with the runtime's API.
 *
 * @module
 */
// No lib/libc.ts here: this version runs without --allow-ffi.
import { runMain, UsageError } from "../../lib/args.ts";
import { exitOnSignals, onCleanup } from "../../lib/signals.ts";
import {
  ECHO_PATH,
  pathTaken,
  takeClientCount,
  takeSocketPath,
  takingOver,
} from "./socket_args.ts";

const USAGE = "usage: echo-server-deno [--path FILE] [--clients N]";

function removeSocketFile(path: string): void {
  try {
    Deno.removeSync(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

/**
 * What is at `path` (socketFileState of lib/socket.ts, with Deno's API): a
 * socket somebody accepts on ("live"), one nobody does ("stale": `connect`
 * refused), nothing ("missing"), or a file that is not a socket.
 */
async function socketFileState(path: string): Promise<string> {
  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return "missing";
    throw e;
  }
  if (!info.isSocket) {
    return info.isFile
      ? "regular file"
      : info.isDirectory
      ? "directory"
      : info.isSymlink
      ? "symbolic link"
      : info.isFifo
      ? "fifo"
      : "file of another kind";
  }
  try {
    (await Deno.connect({ transport: "unix", path })).close();
    return "live";
  } catch (e) {
    if (e instanceof Deno.errors.ConnectionRefused) return "stale";
    if (e instanceof Deno.errors.NotFound) return "missing";
    throw e;
  }
}

async function serve(conn: Deno.UnixConn, number: number): Promise<void> {
  try {
    // while ((n = read(cfd, buf, sizeof buf)) > 0) write(cfd, buf, n);
    await conn.readable.pipeTo(conn.writable);
  } catch {
    // the client vanished mid-write (EPIPE/ECONNRESET): same as EOF here
    try {
      conn.close();
    } catch { /* already closed by pipeTo */ }
  }
  console.log(`client ${number} disconnected`);
}

async function main(args: string[]): Promise<number> {
  const path = takeSocketPath(args, ECHO_PATH);
  const limit = takeClientCount(args);
  if (args.length > 0) throw new UsageError(USAGE);
  exitOnSignals();

  const listen = () => {
    try {
      return Deno.listen({ transport: "unix", path });
    } catch (e) {
      if (e instanceof Deno.errors.AddrInUse) return null;
      // Deno's errors do not name the path ("No such file or directory (os
      // error 2)"); say which path, as the FFI server's LibcError does.
      throw new Error(`listen ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  let listener = listen();
  if (listener === null) {
    // The path is taken: a socket file left by a SIGKILLed server is taken over.
    const state = await socketFileState(path);
    if (state !== "stale" && state !== "missing") {
      throw new Error(pathTaken(path, state, "echo server"));
    }
    if (state === "stale") {
      console.error(takingOver("echo-server-deno", path));
      removeSocketFile(path);
    }
    listener = listen();
    if (listener === null) throw new Error(pathTaken(path, "live", "echo server"));
  }
  using _unlink = onCleanup(`unlink ${path}`, () => removeSocketFile(path));
  console.log(`echo-server: listening on ${path}`);

  const sessions: Promise<void>[] = [];
  let accepted = 0;
  for await (const conn of listener) {
    accepted++;
    console.log(`client ${accepted} connected`);
    sessions.push(serve(conn, accepted));
    if (limit !== undefined && accepted >= limit) break;
  }
  try {
    listener.close(); // stop accepting (breaking out of for-await may have closed it already)
  } catch { /* already closed */ }
  await Promise.all(sessions);
  removeSocketFile(path);
  return 0;
}

if (import.meta.main) {
  await runMain("echo-server-deno", () => main([...Deno.args]), { usage: USAGE });
}
