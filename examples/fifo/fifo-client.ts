/**
 * fifo-client: a client/server pair over FIFOs, the client side.
 *
 * Ports: seed 000's "Borularla Client-Server Haberleşmesi", after TLPI's
 * fifo_seqnum_client.c; the server and the protocol are described in
 * fifo-server.ts and seqnum.ts.
 *
 * What it does, in order:
 * 1. makes its own reply FIFO `seqnum_cl.<pid>` (named after its pid, so
 *    no two live clients share one) next to the server's FIFO, and opens
 *    it for reading (non-blocking, so this is immediate and the server can
 *    open it for writing without waiting);
 * 2. opens the server's request FIFO for writing: ENOENT means no such
 *    FIFO, ENXIO that no server is reading it;
 * 3. writes its request `"<pid> <count>\n"` with one `write` of far less
 *    than PIPE_BUF bytes, so it reaches the server in one piece even when
 *    many clients write at the same moment;
 * 4. waits for the reply line, watching the request FIFO too: if the
 *    server goes away meanwhile (POLLERR: no reader left), it says so and
 *    exits 1 instead of waiting for ever;
 * 5. prints the first number of its range and removes its reply FIFO
 *    (also on Ctrl+C: exit 130, SIGTERM: 143).
 *
 * Killed with SIGKILL (no cleanup runs), it leaves its reply FIFO; the
 * server removes it once it sees that the pid is gone (fifo-server.ts,
 * "After kill -9"). Only a client killed before its request reached the
 * server (a full request FIFO) leaves one no server knows of:
 * `rm seqnum_cl.<pid>`.
 *
 * Run: `deno task fifo-server` in one terminal, then
 * `deno task fifo-client [--path FIFO] [COUNT]` (COUNT default 1). On a
 * terminal, a reply that takes longer than one poll slice (a busy or
 * stopped server) makes it say that it waits for the server's reply.
 *
 * Where it departs from TLPI: a reply FIFO left over by a dead process
 * with our pid (pids are reused) is reused and removed, rather than
 * failing with EEXIST; the server's replies are text lines, not structs.
 *
 * @module
 */
import {
  Errno,
  exitOnSignals,
  type Fd,
  fstat,
  getpid,
  inInvocationDirectory,
  LibcError,
  LineSplitter,
  mkfifo,
  NotAFifoError,
  O,
  onCleanup,
  openFile,
  parseInteger,
  POLL,
  POLL_SLICE_MS,
  pollAsync,
  read,
  runMain,
  setTraceRole,
  takeOption,
  terminalHint,
  unlink,
  unlinkIfExists,
  UsageError,
  write,
} from "../../lib/libc.ts";
import { formatRequest, MAX_COUNT, replyFifoPath, SERVER_FIFO } from "./seqnum.ts";

const USAGE =
  "usage: fifo-client [--path FIFO] [COUNT]   (default: seqnum_sv in the current directory, COUNT 1)";

function openRequestFifo(path: string): Fd {
  let fd: Fd;
  try {
    // serverFd = open(SERVER_FIFO, O_WRONLY);  -- O_NONBLOCK: ENXIO when no server reads it
    fd = openFile(path, O.WRONLY | O.NONBLOCK | O.CLOEXEC);
  } catch (e) {
    if (e instanceof LibcError && e.code === "ENXIO") {
      throw new Error(`no server is reading ${path}: open: ENXIO (${e.description})`);
    }
    if (e instanceof LibcError && e.code === "ENOENT") {
      throw new Error(`no server FIFO ${path}: open: ENOENT (${e.description})`);
    }
    throw e;
  }
  const type = fstat(fd.fd).type;
  if (type !== "fifo") {
    fd.close();
    throw new NotAFifoError(path, type, "open succeeded, fstat says so");
  }
  return fd;
}

async function readReply(reply: Fd, request: Fd, path: string): Promise<string> {
  // Wait for the server's reply, or for the server to vanish.
  const wants = [
    { fd: reply.fd, events: POLL.IN },
    { fd: request.fd, events: 0 }, // POLLERR: nobody reads the request FIFO
  ];
  let [replyEvents, requestEvents] = await pollAsync(wants, POLL_SLICE_MS);
  if (replyEvents === 0 && requestEvents === 0) {
    // No answer within one slice (a busy or stopped server): say so, on a terminal.
    terminalHint(`fifo-client: request sent to ${path}; waiting for the server's reply`);
    [replyEvents, requestEvents] = await pollAsync(wants);
  }
  if (replyEvents === 0 && requestEvents & (POLL.ERR | POLL.HUP)) {
    throw new Error(`the server closed ${path} before replying (killed?)`);
  }
  const lines = new LineSplitter(4096);
  const buf = new Uint8Array(4096);
  for (;;) {
    const line = lines.next();
    if (line) return line.text;
    await pollAsync([{ fd: reply.fd, events: POLL.IN }]); // a reply line in parts: wait for more
    // if (read(clientFd, &resp, sizeof(struct response)) != sizeof(struct response))
    const n = read(reply.fd, buf);
    if (n === 0) break;
    lines.push(buf.subarray(0, n));
  }
  throw new Error(`the server closed the reply FIFO without a reply`);
}

async function main(args: string[]): Promise<number> {
  setTraceRole("fifo-client");
  const path = inInvocationDirectory(takeOption(args, "path") ?? SERVER_FIFO);
  if (args.length > 1 || path === "") throw new UsageError(USAGE);
  const count = args.length === 1 ? parseInteger(args[0], "COUNT") : 1;
  if (count < 1 || count > MAX_COUNT) throw new UsageError(`COUNT must be 1..${MAX_COUNT}`);
  exitOnSignals();

  const pid = getpid();
  const replyPath = replyFifoPath(path, pid);
  // umask(0); if (mkfifo(clientFifo, S_IRUSR | S_IWUSR | S_IWGRP) == -1 && errno != EEXIST)
  mkfifo(replyPath, 0o600, { existOk: true }); // EEXIST: left by a dead process with our pid
  // if (atexit(removeFifo) != 0)
  const removal = onCleanup(`remove ${replyPath}`, () => unlinkIfExists(replyPath));

  // clientFd = open(clientFifo, O_RDONLY);  -- TLPI opens it after sending the request;
  // here first, non-blocking (at once), so the server's open for writing finds a reader
  using reply = openFile(replyPath, O.RDONLY | O.NONBLOCK | O.CLOEXEC);
  const type = fstat(reply.fd).type;
  if (type !== "fifo") throw new NotAFifoError(replyPath, type);
  using request = openRequestFifo(path);
  // if (write(serverFd, &req, sizeof(struct request)) != sizeof(struct request))
  // One write of far less than PIPE_BUF bytes: all of it, or EAGAIN (the FIFO is full) and nothing.
  const bytes = new TextEncoder().encode(formatRequest(pid, count));
  for (;;) {
    try {
      write(request.fd, bytes);
      break;
    } catch (e) {
      if (e instanceof LibcError && e.errno === Errno.EPIPE) {
        throw new Error(`write ${path}: EPIPE (Broken pipe): the server has gone`);
      }
      if (!(e instanceof LibcError) || e.errno !== Errno.EAGAIN) throw e;
    }
    await pollAsync([{ fd: request.fd, events: POLL.OUT }]); // wait for room
  }
  const answer = await readReply(reply, request, path);
  unlink(replyPath);
  removal.done();

  if (/^\d+$/.test(answer)) {
    // printf("%d\n", resp.seqNum);
    console.log(answer);
    return 0;
  }
  console.error(`fifo-client: server answered: ${answer}`);
  return 1;
}

if (import.meta.main) {
  await runMain("fifo-client", () => main([...Deno.args]), { usage: USAGE });
}
