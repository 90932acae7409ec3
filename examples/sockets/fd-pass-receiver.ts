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
 *   with MSG_CMSG_CLOEXEC, and a control buffer too small for what was
 *   sent (MSG_CTRUNC) is an error, not silence.
 * - The wait for the sender's message is a signal-friendly `poll`.
 * - A sender that closed without passing anything (EOF), or a stale socket
 *   file (ECONNREFUSED), is reported, exit 1.
 *
 * Ports: beyond the seeds (seed 002 counts sockets among the kinds of IPC);
 * the receiving half of fd-pass-sender.ts.
 *
 * @module
 */
import {
  connect,
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

async function main(args: string[]): Promise<number> {
  setTraceRole("receiver");
  const path = takeSocketPath(args, FD_PASS_PATH);
  if (args.length > 0) throw new UsageError(USAGE);
  exitOnSignals();

  // sfd = socket(AF_UNIX, SOCK_STREAM, 0);
  using sender = socket();
  const sfd = sender.fd;
  try {
    // strcpy(addr.sun_path, PATH); connect(sfd, (struct sockaddr *) &addr, sizeof addr);
    connect(sfd, path);
  } catch (e) {
    if (e instanceof LibcError && (e.errno === Errno.ENOENT || e.code === "ECONNREFUSED")) {
      throw new Error(`no sender at ${path} (${e.code}): start fd-pass-sender first`);
    }
    throw e;
  }
  await waitFor(sfd, POLL.IN);
  // recvmsg(sfd, &msg, 0); fd = *(int *) CMSG_DATA(CMSG_FIRSTHDR(&msg));
  const got = receiveFds(sfd, new Uint8Array(1), 1);
  if (got.truncated) {
    for (const f of got.fds) f.close();
    throw new Error("the sender passed more descriptors than we made room for (MSG_CTRUNC)");
  }
  if (got.bytes === 0 || got.fds.length === 0) {
    throw new Error("the sender closed the connection without passing a descriptor");
  }
  using file = got.fds[0];
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
  await runMain("fd-pass-receiver", () => main([...Deno.args]));
}
