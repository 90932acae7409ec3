/**
 * fd-pass-receiver: receive an open file descriptor over a Unix socket
 * (`recvmsg`, `SCM_RIGHTS`) and read the file through it (see
 * fd-pass-sender.ts).
 *
 * Demonstrates: the receiver is told no path. It connects, `recvmsg`s one
 * byte of data plus a control message, finds the descriptor in it
 * (`CMSG_FIRSTHDR`, `CMSG_DATA`), and `read`s the file through it: a file it
 * could not have opened itself (unnamed, or deleted). It prints
 * `received fd N` and then the file's content.
 *
 * Run: `deno task fd-pass-sender` in one terminal, then
 * `deno task fd-pass-receiver` in another (same directory or `--path`).
 *
 * Where it departs from the C and why:
 * - The socket is made with SOCK_CLOEXEC and descriptors are received
 *   with MSG_CMSG_CLOEXEC.
 * - The control buffer has room for 16 descriptors, not one: a sender
 *   that passes more than one is told about on stderr, and the extra
 *   descriptors are closed (the C's room for one would have the kernel
 *   drop them silently); more than 16 sets MSG_CTRUNC, also said, the
 *   kernel having closed what did not fit. The first one is read.
 * - The socket is non-blocking, the wait for the sender's message is a
 *   signal-friendly `poll`, and `connect` to a full backlog is tried again
 *   after a short pause (`connectAsync`): Ctrl+C always works.
 * - A sender that went away before passing anything is reported, exit 1:
 *   it closed the connection (EOF), or it died before accepting us
 *   (ECONNRESET), or it left a stale socket file (ECONNREFUSED).
 *
 * Ports: beyond the seeds (seed 002 counts sockets among the kinds of IPC);
 * the receiving half of fd-pass-sender.ts.
 *
 * @module
 */
import {
  connectAsync,
  Errno,
  exitOnSignals,
  LibcError,
  POLL,
  read,
  receiveFds,
  runMain,
  setTraceRole,
  socket,
  UsageError,
  waitFor,
  writeAll,
} from "../../lib/libc.ts";
import { FD_PASS_PATH, takeSocketPath } from "./socket_args.ts";

const USAGE = "usage: fd-pass-receiver [--path FILE]";

/** Descriptors one `recvmsg` has room for (the C makes room for one). */
const ROOM = 16;

async function main(args: string[]): Promise<number> {
  setTraceRole("receiver");
  const path = takeSocketPath(args, FD_PASS_PATH);
  if (args.length > 0) throw new UsageError(USAGE);
  exitOnSignals();

  // sfd = socket(AF_UNIX, SOCK_STREAM, 0);
  using sender = socket({ nonblock: true });
  const sfd = sender.fd;
  try {
    // strcpy(addr.sun_path, PATH); connect(sfd, (struct sockaddr *) &addr, sizeof addr);
    await connectAsync(sfd, path);
  } catch (e) {
    if (e instanceof LibcError && (e.errno === Errno.ENOENT || e.code === "ECONNREFUSED")) {
      throw new Error(`no sender at ${path} (${e.code}): start fd-pass-sender first`);
    }
    throw e;
  }
  await waitFor(sfd, POLL.IN);
  let got;
  try {
    // recvmsg(sfd, &msg, 0); fd = *(int *) CMSG_DATA(CMSG_FIRSTHDR(&msg));
    got = receiveFds(sfd, new Uint8Array(1), ROOM);
  } catch (e) {
    if (e instanceof LibcError && e.code === "ECONNRESET") {
      throw new Error(
        "the sender went away before passing a descriptor (recvmsg: ECONNRESET)",
      );
    }
    throw e;
  }
  const [first, ...extras] = got.fds;
  if (extras.length > 0 || got.truncated) {
    const passed = got.truncated
      ? `more descriptors than the ${ROOM} there was room for (MSG_CTRUNC: the kernel closed the rest)`
      : `${got.fds.length} descriptors`;
    console.error(
      `fd-pass-receiver: the sender passed ${passed}; reading the first, closing the other ${extras.length}`,
    );
    for (const extra of extras) extra.close(); // close() each one we will not read
  }
  if (got.bytes === 0 || first === undefined) {
    throw new Error("the sender closed the connection without passing a descriptor");
  }
  using file = first;
  console.log(`received fd ${file.fd}`);
  // while ((n = read(fd, buf, sizeof buf)) > 0) write(1, buf, n);
  const buffer = new Uint8Array(4096);
  for (let n; (n = read(file.fd, buffer)) > 0;) writeAll(1, buffer.subarray(0, n));
  // close(fd); close(sfd);
  file.close();
  sender.close();
  return 0;
}

if (import.meta.main) {
  await runMain("fd-pass-receiver", () => main([...Deno.args]), { usage: USAGE });
}
