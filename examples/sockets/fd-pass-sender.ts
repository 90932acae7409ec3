/**
 * fd-pass-sender: hand an open file descriptor to another process over a
 * Unix socket (`sendmsg` with `SCM_RIGHTS`), the one thing only sockets can
 * do.
 *
 * Ports: no C program of the seeds (seed 002 counts sockets among the kinds
 * of IPC); this is the C pattern of privilege-separated servers (a broker
 * opens what the worker may not, and passes the descriptor): build a
 * `struct msghdr` with one `struct iovec` of data and a control buffer
 * holding one `struct cmsghdr` {SOL_SOCKET, SCM_RIGHTS, fd}, then `sendmsg`.
 *
 * Demonstrates: the receiver gets a *new descriptor number* in its own
 * table that refers to the *same open file* (same offset, same access mode):
 * as if `dup` worked between processes. The receiver can read a file it
 * could never open itself: by default the sender makes a file that has no
 * name at all (`open("/tmp", O_TMPFILE)`); with `--file PATH --unlink` it
 * opens PATH and deletes it before any receiver comes.
 *
 * Run (two terminals): `deno task fd-pass-sender` (listens on
 * `fd-pass.sock` in the directory you run it from), then
 * `deno task fd-pass-receiver`. Options: `--path FILE` for the socket,
 * `--file PATH [--unlink]` for the file to pass, `--clients N` receivers
 * before exiting (default 1). They share one open file, so one offset: the
 * second receiver starts reading where the first stopped.
 *
 * Where it departs from the C and why:
 * - Waiting for the receiver is a non-blocking `accept` with short `poll`
 *   slices, so Ctrl+C works and removes the socket file (exit 130). The
 *   accepted socket is non-blocking too, and `sendmsg` into a full socket
 *   waits for POLLOUT the same way (`sendFdsAsync`): nothing blocks inside
 *   FFI.
 * - The structs are built byte by byte with DataView in lib/socket.ts
 *   (`sendFds`), whose header comment draws their x86_64 layout.
 *   `sendFds` passes MSG_NOSIGNAL where the C passes 0: a receiver gone is
 *   EPIPE, not SIGPIPE. A receiver that connected and died before its
 *   descriptor could be sent (EPIPE/ECONNRESET) is reported on stderr and
 *   not counted; the sender waits for the next one.
 * - A path already taken (`bind`: EADDRINUSE): a socket file nobody
 *   accepts on (a probe `connect` is refused: its sender was SIGKILLed and
 *   could not unlink it) is taken over, saying so on stderr: `unlink`, then
 *   `bind` again. A live sender there, or a file that is not a socket, is
 *   explained, exit 1, and the file is left alone. (The probe is a real
 *   connection: a live sender takes it for a receiver.)
 * - The file and the sockets are opened close-on-exec (O_CLOEXEC,
 *   SOCK_CLOEXEC); the passed descriptor reaches the receiver all the same.
 * - Right after `bind`, the port registers the socket file's removal as a
 *   cleanup, so Ctrl+C, SIGTERM or an error still unlinks it; at the normal
 *   end it calls `close` and `unlink` itself, as the C does.
 *
 * @module
 */
import {
  acceptAsync,
  bind,
  Errno,
  exitOnSignals,
  type Fd,
  inInvocationDirectory,
  LibcError,
  listen,
  lseek,
  O,
  onCleanup,
  openFile,
  runMain,
  SEEK,
  sendFdsAsync,
  setTraceRole,
  socket,
  socketFileState,
  takeFlag,
  takeOption,
  unlink,
  unlinkIfExists,
  UsageError,
  writeAll,
} from "../../lib/libc.ts";
import {
  FD_PASS_PATH,
  pathTaken,
  takeClientCount,
  takeSocketPath,
  takingOver,
} from "./socket_args.ts";

const USAGE = "usage: fd-pass-sender [--path FILE] [--file PATH [--unlink]] [--clients N]";

/**
 * `O_TMPFILE` (`__O_TMPFILE | O_DIRECTORY`): an unnamed file in a directory.
 * Its value differs by architecture (O_DIRECTORY does): from lib/abi.ts.
 */
const O_TMPFILE = O.TMPFILE;

const SECRET = "This file has no name: only the descriptor you were passed leads to it.\n";

/** An unnamed temporary file holding SECRET, offset back at 0. */
function unnamedFile(): Fd {
  // fd = open("/tmp", O_TMPFILE | O_RDWR, 0600);
  const file = openFile("/tmp", O_TMPFILE | O.RDWR | O.CLOEXEC, 0o600);
  // write(fd, text, strlen(text));
  writeAll(file.fd, new TextEncoder().encode(SECRET));
  // lseek(fd, 0, SEEK_SET);
  lseek(file.fd, 0, SEEK.SET);
  return file;
}

async function main(args: string[]): Promise<number> {
  setTraceRole("sender");
  const path = takeSocketPath(args, FD_PASS_PATH);
  const fileOption = takeOption(args, "file");
  const filePath = fileOption === undefined ? undefined : inInvocationDirectory(fileOption);
  const unlinkFile = takeFlag(args, "unlink");
  const clients = takeClientCount(args) ?? 1;
  if (args.length > 0 || (unlinkFile && filePath === undefined)) throw new UsageError(USAGE);
  exitOnSignals();

  // fd = open(path, O_RDONLY);  (or an unnamed O_TMPFILE)
  using file = filePath === undefined ? unnamedFile() : openFile(filePath, O.RDONLY | O.CLOEXEC);
  let what = "an unnamed file (O_TMPFILE)";
  if (filePath !== undefined) {
    what = filePath;
    if (unlinkFile) {
      // unlink(path);  -- from now on only our descriptor leads to the file
      unlink(filePath);
      what = `${filePath}, now deleted`;
    }
  }

  // sfd = socket(AF_UNIX, SOCK_STREAM, 0);
  using server = socket({ nonblock: true });
  const sfd = server.fd;
  try {
    // strcpy(addr.sun_path, PATH); bind(sfd, (struct sockaddr *) &addr, sizeof addr);
    bind(sfd, path); // creates the socket file
  } catch (e) {
    if (!(e instanceof LibcError && e.code === "EADDRINUSE")) throw e;
    // Not in the C: is it a socket file its sender left when it was SIGKILLed?
    const state = socketFileState(path); // lstat, then a probe connect: refused?
    if (state !== "stale" && state !== "missing") {
      throw new Error(pathTaken(path, state, "fd-pass-sender"));
    }
    if (state === "stale") {
      console.error(takingOver("fd-pass-sender", path));
      // unlink(PATH);
      unlink(path);
    }
    // bind(sfd, (struct sockaddr *) &addr, sizeof addr);
    bind(sfd, path);
  }
  const removal = onCleanup(`unlink ${path}`, () => unlinkIfExists(path)); // Ctrl+C, errors
  // listen(sfd, 16);
  listen(sfd, 16);
  console.log(`fd-pass-sender: listening on ${path}, passing fd ${file.fd}: ${what}`);

  for (let passed = 0, receiver = 1; passed < clients; receiver++) {
    // cfd = accept(sfd, NULL, NULL);  -- after a signal-friendly wait
    using conn = (await acceptAsync(sfd, { nonblock: true }))!;
    try {
      // cmsg = CMSG_FIRSTHDR(&msg); cmsg->cmsg_level = SOL_SOCKET; cmsg->cmsg_type = SCM_RIGHTS;
      // *(int *) CMSG_DATA(cmsg) = fd; sendmsg(cfd, &msg, 0);
      await sendFdsAsync(conn.fd, new TextEncoder().encode("F"), [file.fd]);
      console.log(`passed fd ${file.fd} to receiver ${receiver}`);
      passed++;
    } catch (e) {
      if (!(e instanceof LibcError && (e.errno === Errno.EPIPE || e.code === "ECONNRESET"))) {
        throw e;
      }
      console.error(
        `fd-pass-sender: receiver ${receiver} went away before its descriptor was sent (sendmsg: ${e.code}); waiting for the next one`,
      );
    }
    // close(cfd);
    conn.close();
  }
  // close(fd);  -- the sender's descriptor; each receiver has its own copy now
  file.close();

  removal.done(); // removed here, not by the cleanup
  // close(sfd);
  server.close();
  // unlink(PATH);
  unlink(path);
  return 0;
}

if (import.meta.main) {
  await runMain("fd-pass-sender", () => main([...Deno.args]), { usage: USAGE });
}
