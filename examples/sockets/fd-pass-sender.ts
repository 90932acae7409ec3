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
 *   slices, so Ctrl+C works and removes the socket file (exit 130).
 * - The structs are built byte by byte with DataView in lib/socket.ts
 *   (`sendFds`), whose header comment draws their x86_64 layout.
 *
 * @module
 */
import {
  exitOnSignals,
  failed,
  Fd,
  inInvocationDirectory,
  O,
  onCleanup,
  openFile,
  runMain,
  setTraceRole,
  takeFlag,
  takeOption,
  traceLine,
  TRACING,
  UsageError,
  writeAll,
} from "../../lib/libc.ts";
import { libc } from "../../lib/ffi/libc_ffi.ts";
import { acceptAsync, listenUnix, sendFds } from "../../lib/socket.ts";
import { unlinkIfExists } from "../../lib/files.ts";
import { FD_PASS_PATH, takeClientCount, takeSocketPath } from "./socket_args.ts";

const USAGE = "usage: fd-pass-sender [--path FILE] [--file PATH [--unlink]] [--clients N]";

/** `O_TMPFILE` (`__O_TMPFILE | O_DIRECTORY`): an unnamed file in a directory. */
const O_TMPFILE = 0o20200000;

const SECRET = "This file has no name: only the descriptor you were passed leads to it.\n";

/** An unnamed temporary file holding SECRET, offset back at 0. */
function unnamedFile(): Fd {
  const file = openFile("/tmp", O_TMPFILE | O.RDWR | O.CLOEXEC, 0o600);
  writeAll(file.fd, new TextEncoder().encode(SECRET));
  // lseek(fd, 0, SEEK_SET);
  if (libc.lseek(file.fd, 0n, 0) === -1n) failed("lseek", `lseek(${file.fd}, 0, SEEK_SET)`);
  if (TRACING) traceLine(`lseek(${file.fd}, 0, SEEK_SET)`, "0");
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
      unlinkIfExists(filePath); // from now on only our descriptor leads to the file
      what = `${filePath}, now deleted`;
    }
  }

  using server = listenUnix(path);
  using _unlink = onCleanup(`close and unlink ${path}`, () => server.close());
  console.log(`fd-pass-sender: listening on ${path}, passing fd ${file.fd}: ${what}`);

  for (let i = 0; i < clients; i++) {
    using conn = (await acceptAsync(server.fd))!; // cfd = accept(sfd, NULL, NULL);
    // sendmsg(cfd, &msg, 0) with cmsg {SOL_SOCKET, SCM_RIGHTS, fd}
    sendFds(conn.fd, new TextEncoder().encode("F"), [file.fd]);
    console.log(`passed fd ${file.fd} to receiver ${i + 1}`);
  }
  return 0;
}

if (import.meta.main) {
  await runMain("fd-pass-sender", () => main([...Deno.args]));
}
