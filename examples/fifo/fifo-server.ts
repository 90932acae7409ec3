/**
 * fifo-server: a client/server pair over FIFOs, the server side.
 *
 * Ports: seed 000's "Borularla Client-Server Haberleşmesi": one pipe is
 * enough for all clients to send requests to the server, but the server
 * needs one pipe per client for its replies. The seed has no code for it;
 * the design follows TLPI's fifo_seqnum_server.c (Kerrisk, ch. 44.8).
 *
 * The service: sequence numbers. A client asks for `count` numbers and
 * gets the first of a range no other client ever gets. Why this one and
 * not upper-casing: it needs the one thing only a server can give, state
 * shared by all clients (the seed's "coordination among clients"), and it
 * makes a mixed-up reply visible: two clients holding overlapping ranges
 * would be a bug a test can see.
 *
 * Demonstrates:
 * - one well-known request FIFO (`seqnum_sv`) that every client writes
 *   its request line to; requests are at most PIPE_BUF bytes and written
 *   with one `write`, so the kernel never interleaves two clients' bytes
 *   (writes of more than PIPE_BUF may be split and mixed: the server
 *   drops any line longer than PIPE_BUF, with a log line);
 * - one reply FIFO per client (`seqnum_cl.<pid>`), made and removed by
 *   the client; the server only opens it, writes one line, closes it;
 * - the server keeps the request FIFO open for *writing* too. Without
 *   that, each time the last client closes its end, the server's `read`
 *   returns 0 (end of file) and `poll` reports POLLHUP without end: it
 *   would have to close and reopen the FIFO, or spin. With its own write
 *   end open, a writer always exists, so `read` just waits for the next
 *   client.
 *
 * Run: `deno task fifo-server` in one terminal, then in others
 * `deno task fifo-client 5` (prints the first of its 5 numbers) as often
 * as you like; Ctrl+C stops the server (exit 130; SIGTERM: 143) and
 * removes the request FIFO (one it made, or took over: below). `--path` moves the request FIFO
 * (the reply FIFOs go next to it); the default is `seqnum_sv` in the
 * directory you run `deno task` from.
 *
 * Robustness: a malformed request with a readable pid gets an
 * `error: ...` reply; one without a pid, an oversized one, or one whose
 * client has gone (its reply FIFO missing or without reader: ENOENT/ENXIO)
 * is dropped with a line on stderr. The server opens reply FIFOs with
 * `O_NONBLOCK` and never waits for a client, so a stuck client cannot
 * stall the others. A second server on the same FIFO is refused.
 *
 * After `kill -9` (SIGKILL runs no cleanup), what stays and who removes it:
 * - a server's request FIFO. The next server finds it (mkfifo: EEXIST) and
 *   asks who reads it: `open(O_WRONLY|O_NONBLOCK)` succeeds when some
 *   process has it open for reading (a live server: refused, as above) and
 *   fails with ENXIO when nobody does: the server that made it is gone.
 *   Then it says `fifo-server: seqnum_sv was left by a server that is gone;
 *   taking it over`, serves on it, and removes it when it ends, as if it
 *   had made it.
 * - a client's reply FIFO `seqnum_cl.<pid>`. The server notes the pid of
 *   every request it answers (or tries to); after each batch of requests,
 *   and when it ends, it removes the reply FIFO of each such client whose
 *   pid is no longer alive (`kill(pid, 0)`: ESRCH), with a line on stderr
 *   (`client 4242 is gone and left .../seqnum_cl.4242: removed it`). Only
 *   a client killed before its request reached the server (while the
 *   request FIFO was full) is unknown to it: `rm seqnum_cl.<pid>`.
 *
 * @module
 */
import {
  Errno,
  exitOnSignals,
  type Fd,
  fileType,
  fstat,
  inInvocationDirectory,
  LibcError,
  LineSplitter,
  mkfifo,
  NotAFifoError,
  O,
  onCleanup,
  openFile,
  PIPE_BUF,
  POLL,
  pollAsync,
  processAlive,
  read,
  runMain,
  setTraceRole,
  stat,
  takeOption,
  unlinkIfExists,
  UsageError,
  write,
} from "../../lib/libc.ts";
import { parseRequest, replyFifoPath, SERVER_FIFO } from "./seqnum.ts";

const USAGE = "usage: fifo-server [--path FIFO]   (default: seqnum_sv in the current directory)";
const encoder = new TextEncoder();

function log(text: string): void {
  console.error(`fifo-server: ${text}`);
}

/**
 * The FIFO at `path` was there already (mkfifo: EEXIST). Refuse to start
 * when another process reads it (a live server), or when it is no FIFO;
 * return when nobody reads it: the server that made it is gone.
 */
function checkNoOtherServer(path: string): void {
  let probe: Fd;
  try {
    // O_WRONLY|O_NONBLOCK succeeds only if some process has it open for reading.
    probe = openFile(path, O.WRONLY | O.NONBLOCK | O.CLOEXEC);
  } catch (e) {
    if (!(e instanceof LibcError) || e.errno !== Errno.ENXIO) throw e;
    // Nobody reads it. A socket says ENXIO too: only a FIFO is taken over.
    const type = stat(path).type;
    if (type !== "fifo") throw new NotAFifoError(path, type);
    return;
  }
  const type = fstat(probe.fd).type; // a regular file opens for writing too
  probe.close();
  if (type !== "fifo") throw new NotAFifoError(path, type);
  throw new Error(`another process is already reading ${path} (a server running?)`);
}

/**
 * The clients this server answered, or tried to: each one removes its
 * reply FIFO once it has its reply, unless it was killed first.
 */
const answered = new Set<number>();

/**
 * Remove the reply FIFO of each answered client that has gone without
 * removing it (killed: SIGKILL runs no cleanup); forget the clients whose
 * FIFO is gone. A live pid keeps its FIFO: the client is still reading it
 * (or a new process has that pid: its FIFO is not ours to judge).
 */
function removeReplyFifosOfGoneClients(requestFifo: string): void {
  for (const pid of answered) {
    const path = replyFifoPath(requestFifo, pid);
    if (fileType(path) !== "fifo") {
      answered.delete(pid); // removed by its client (or never made)
    } else if (!processAlive(pid)) {
      unlinkIfExists(path);
      answered.delete(pid);
      log(`client ${pid} is gone and left ${path}: removed it`);
    }
  }
}

/**
 * Send one reply line to client `pid`. Returns why it failed, or
 * `undefined` when delivered. Never waits for the client.
 */
function reply(requestFifo: string, pid: number, text: string): string | undefined {
  const path = replyFifoPath(requestFifo, pid);
  answered.add(pid);
  let fd: Fd;
  try {
    // clientFd = open(clientFifo, O_WRONLY);  -- non-blocking here: never wait for a client
    fd = openFile(path, O.WRONLY | O.NONBLOCK | O.CLOEXEC);
  } catch (e) {
    if (e instanceof LibcError && (e.errno === Errno.ENOENT || e.errno === Errno.ENXIO)) {
      return `client ${pid} has gone (open ${path}: ${e.code})`;
    }
    if (e instanceof LibcError) return `cannot open ${path}: ${e.code} (${e.description})`;
    throw e;
  }
  try {
    const type = fstat(fd.fd).type;
    if (type !== "fifo") return `${path} is a ${type}, not a FIFO: not writing to it`;
    // write(clientFd, &resp, sizeof(struct response))  -- a text line. At most
    // PIPE_BUF bytes into a non-blocking FIFO: written whole, or EAGAIN (it is full).
    write(fd.fd, encoder.encode(`${text}\n`));
    return undefined;
  } catch (e) {
    if (e instanceof LibcError) return `write ${path}: ${e.code} (${e.description})`;
    throw e;
  } finally {
    // close(clientFd);
    fd.close();
  }
}

async function main(args: string[]): Promise<number> {
  setTraceRole("fifo-server");
  const path = inInvocationDirectory(takeOption(args, "path") ?? SERVER_FIFO);
  if (args.length > 0 || path === "") throw new UsageError(USAGE);
  exitOnSignals();

  // umask(0); if (mkfifo(SERVER_FIFO, S_IRUSR | S_IWUSR | S_IWGRP) == -1 && errno != EEXIST)
  // Here 0600: only the same user's clients may send requests.
  const created = mkfifo(path, 0o600, { existOk: true });
  if (created) {
    log(`created FIFO ${path} (mode 0600)`);
  } else {
    checkNoOtherServer(path); // throws when a server reads it
    log(`${path} was left by a server that is gone; taking it over`);
  }
  // Made or taken over: ours to remove when we end.
  onCleanup(`remove ${path}`, () => unlinkIfExists(path));
  onCleanup("remove the reply FIFOs of clients that are gone", () => {
    removeReplyFifosOfGoneClients(path);
  });

  // serverFd = open(SERVER_FIFO, O_RDONLY);  -- O_NONBLOCK: no client needed yet
  using requests = openFile(path, O.RDONLY | O.NONBLOCK | O.CLOEXEC);
  const type = fstat(requests.fd).type; // a regular file would read as requests
  if (type !== "fifo") throw new NotAFifoError(path, type);
  // dummyFd = open(SERVER_FIFO, O_WRONLY);  -- so read() never sees EOF
  using _dummyWriter = openFile(path, O.WRONLY | O.NONBLOCK | O.CLOEXEC);
  log(`serving sequence numbers on ${path}`);

  let next = 0;
  // One request line, newline included, fits in PIPE_BUF.
  const lines = new LineSplitter(PIPE_BUF - 1);
  const buf = new Uint8Array(65536);
  for (;;) {
    // Where TLPI blocks in read: poll in slices, so Ctrl+C still runs the cleanup.
    await pollAsync([{ fd: requests.fd, events: POLL.IN }]);
    let n: number;
    try {
      // read(serverFd, &req, sizeof(struct request))  -- lines, not structs
      n = read(requests.fd, buf);
    } catch (e) {
      if (e instanceof LibcError && e.errno === Errno.EAGAIN) continue; // nothing after all
      throw e;
    }
    if (n === 0) continue; // cannot happen while we hold a write end
    lines.push(buf.subarray(0, n));
    for (let line = lines.next(); line; line = lines.next()) {
      if (line.oversized) {
        log(
          `dropped a request of ${line.bytes} bytes: more than PIPE_BUF (${PIPE_BUF}) ` +
            `cannot be written atomically`,
        );
        continue;
      }
      const request = parseRequest(line.text);
      if (!request.ok) {
        const shown = JSON.stringify(line.text.slice(0, 80));
        if (request.pid === undefined) {
          log(`dropped a malformed request ${shown}: ${request.why}`);
        } else {
          const failure = reply(path, request.pid, `error: ${request.why}`);
          log(
            `bad request ${shown} from pid ${request.pid}: ${request.why}` +
              (failure ? `; no error reply either: ${failure}` : "; error sent"),
          );
        }
        continue;
      }
      // resp.seqNum = seqNum; write(clientFd, &resp, ...); seqNum += req.seqLen;
      const failure = reply(path, request.pid, String(next));
      if (failure) {
        log(`dropped request "${line.text}": ${failure}`);
        continue;
      }
      console.log(
        `pid ${request.pid}: ${request.count} number${request.count === 1 ? "" : "s"} from ${next}`,
      );
      next += request.count;
    }
    removeReplyFifosOfGoneClients(path); // clients killed before they removed theirs
  }
}

if (import.meta.main) {
  await runMain("fifo-server", () => main([...Deno.args]), { usage: USAGE });
}
