// deno-lint-ignore-file no-unused-vars
// EXERCISE 4: readfifo (seed 000, readfifo.c)
// Make the FIFO, open it for reading, remove its name once both ends are open, read the messages until quit or end-of-file, close it.
// Replace each todo(...) with the call it describes. Check: `deno task exercise check readfifo`; a hint: `deno task exercise hint readfifo`.
import { todo } from "../../exercises/todo.ts";
/**
 * readfifo: the reading side of a named pipe (FIFO).
 *
 * Ports: `readfifo.c` of seed 000 (Linux System Programming, Part 6,
 * section "İsimli Boru Haberleşmesi"); its partner is writefifo.ts, whose
 * header shows how the C pair merges messages ("helloworld").
 *
 * Demonstrates: the reader opens the FIFO for reading, waits for a writer,
 * and prints each message on its own line until the message `quit`, or
 * until the writer closes its end (`read` returns 0 once no writer is left
 * and the pipe is empty).
 *
 * Run, in two terminals, in the same directory:
 *
 *     deno task readfifo         # terminal 1: waits, then prints lines
 *     deno task writefifo        # terminal 2: type lines, then quit
 *
 * Either may start first; `--path /tmp/x` uses another FIFO. From a shell:
 * `printf 'hello\nquit\n' > testfifo` works as a writer too.
 *
 * The wire format, shared with writefifo.ts and both C originals: each
 * message is a C string *with* its terminating NUL (`strlen + 1` bytes in
 * one `write`). The C reader's `strcmp` and `puts` stop at that NUL, so a
 * port writer's messages print there as they should; this reader ends a
 * message at a NUL (or a newline, for `printf 'hello\nquit\n' > testfifo`
 * from a shell), and takes what a `read` returned after the last NUL as
 * one whole message: that is how a C writer's lines (`strlen` bytes, no
 * delimiter at all) arrive, one `write` per `read` when typed by a person.
 * So every mix of C and port peers prints one message per line and stops
 * at `quit`, and between two ports nothing is merged however fast they go
 * (a C writer's two quick writes still merge: there is nothing between
 * them to split at).
 *
 * Where it departs from the C and why:
 * - Messages are framed (above): the C prints whatever one `read` returned
 *   as one line.
 * - The FIFO is created when missing (mode 0644) and removed by whichever
 *   program created it, as soon as both ends are open, or on Ctrl+C
 *   (exit 130; SIGTERM: 143). A FIFO you made yourself is left alone.
 *   SIGKILL runs no cleanup: a creator killed while it waits for its peer
 *   leaves the FIFO, which the next run cannot tell from one you made:
 *   it uses it and leaves it (`rm testfifo` removes it).
 * - `open(O_RDONLY)` would block in one FFI call until a writer comes,
 *   freezing the isolate (Ctrl+C could not clean up). The port opens with
 *   `O_NONBLOCK` (at once) and waits with `poll` in short slices. It must
 *   not `read` before `poll` reports something: on Linux, a FIFO that no
 *   writer has opened yet reads as end of file (0) without waiting, while
 *   `poll` reports nothing until data or a hang-up arrives (measured; see
 *   lib/fifo.ts). Only when the first slice finds nothing does it say
 *   `readfifo: waiting for a writer on PATH` (stderr): a writer that has
 *   already written is not waited for.
 * - When the writer closes without `quit`, the C reader stops silently
 *   with exit 0; the port exits 0 too, and adds a note on stderr (the
 *   port's writer always ends with `quit`, also at end of its input, so
 *   the note means the writer was interrupted or killed).
 *
 * Calls that differ from the C (checked by `deno task compare`):
 * - `+mkfifo`: the FIFO is made when missing (EEXIST when it is there;
 *   one the port made, it also unlinks).
 * - `+statx`: a path that is not a FIFO is refused: `fstat` of the
 *   descriptor, after the open.
 * - `+poll`: the open does not block, so the port waits for the writer,
 *   and then for each message, with poll in short slices (see above).
 *
 * @module
 */
import {
  Errno,
  exitOnSignals,
  fstat,
  inInvocationDirectory,
  LibcError,
  LineSplitter,
  mkfifo,
  NotAFifoError,
  O,
  onCleanup,
  openFile,
  POLL,
  POLL_SLICE_MS,
  pollAsync,
  pollOne,
  read,
  runMain,
  setTraceRole,
  takeOption,
  unlink,
  unlinkIfExists,
  UsageError,
} from "../../lib/libc.ts";

const USAGE = "usage: readfifo [--path FIFO]   (default: testfifo in the current directory)";

/** Print a batch of messages, one per line. */
function print(messages: string[]): void {
  if (messages.length > 0) console.log(messages.join("\n"));
}

/**
 * The messages complete in `lines`. With `whole` (the read did not fill
 * the buffer, or it was the end of file), what follows the last NUL is one
 * more: a C writer's line, which has no NUL. After a full read, more of it
 * may still come.
 */
function takeMessages(lines: LineSplitter, whole: boolean): string[] {
  const messages: string[] = [];
  for (let line = lines.next(); line; line = lines.next()) messages.push(line.text);
  const rest = whole ? lines.end() : undefined;
  if (rest) messages.push(rest.text);
  return messages;
}

async function main(args: string[]): Promise<number> {
  setTraceRole("readfifo");
  const path = inInvocationDirectory(takeOption(args, "path") ?? "testfifo");
  if (args.length > 0 || path === "") throw new UsageError(USAGE);
  exitOnSignals();

  // Not in the C, which expects `mkfifo testfifo` first: make it when
  // missing. EEXIST is no error (whether it is a FIFO, fstat says below).
  const created = todo<boolean>(
    "make the FIFO at path, mode 0644, if missing: true when made, false on EEXIST " +
      "(C: mkfifo(path, S_IRUSR|S_IWUSR|S_IRGRP|S_IROTH); the seed has none)",
  );
  const removal = created ? onCleanup(`remove ${path}`, () => unlinkIfExists(path)) : undefined;
  if (created) console.error(`readfifo: created FIFO ${path} (mode 0644)`);

  // if ((fd = open("testfifo", O_RDONLY)) < 0) exitsys("testfifo");
  // O_NONBLOCK: returns at once, writer or not (a blocking open would freeze the isolate)
  using fifo = todo<ReturnType<typeof openFile>>(
    "open path for reading, non-blocking (at once, writer or not), close-on-exec " +
      "(C: open(path, O_RDONLY))",
  );
  const type = fstat(fifo.fd).type; // not in the C: refuse a regular file, a directory...
  if (type !== "fifo") throw new NotAFifoError(path, type);

  // Where the C blocked in open: poll until a writer has written or hung up
  // (read before that would return 0 at once, a false end of file).
  // "waiting" is said only when the first poll slice found no writer (nothing
  // written, no hang-up): a writer that is already there is not waited for.
  if (pollOne(fifo.fd, POLL.IN, POLL_SLICE_MS) === 0) {
    console.error(`readfifo: waiting for a writer on ${path}`);
    await pollAsync([{ fd: fifo.fd, events: POLL.IN }]);
  }
  if (removal) {
    todo("remove the FIFO's name: both ends are open now (C: unlink(path))");
    removal.done();
    console.error(`readfifo: both ends are open; removed ${path}`);
  }

  // Messages end at a NUL (a C string) or a newline (a shell's echo).
  const lines = new LineSplitter(Infinity, [0, 10]);
  const buf = new Uint8Array(65536);
  for (;;) {
    await pollAsync([{ fd: fifo.fd, events: POLL.IN }]); // data or hang-up: read will not wait
    let n: number;
    try {
      // while ((n = read(fd, buf, sizeof(buf))) > 0) {
      n = todo<number>("read what is there into buf (C: read(fd, buf, sizeof(buf)))");
    } catch (e) {
      // Another reader of this FIFO took the data first: poll again.
      if (e instanceof LibcError && e.errno === Errno.EAGAIN) continue;
      throw e;
    }
    lines.push(buf.subarray(0, n));
    // At end of file (0) too, what the writer left unterminated is a message.
    const messages = takeMessages(lines, n < buf.length);
    // buf[n] = '\0'; if (!strcmp(buf, "quit")) break;  -- each message, up to a "quit"
    const quit = messages.indexOf("quit");
    // puts(buf);  -- one line per message
    print(quit === -1 ? messages : messages.slice(0, quit));
    if (quit !== -1) break;
    if (n === 0) {
      console.error(
        `readfifo: the writer closed ${path} without sending quit (interrupted or killed?)`,
      );
      break;
    }
  }
  // if (n < 0) exitsys("read");  -- read() throws: `readfifo: read: E... (...)`, exit 1

  // close(fd);
  todo("close the FIFO (C: close(fd))"); // (`using` closes it on the error paths)
  return 0;
}

if (import.meta.main) {
  await runMain("readfifo", () => main([...Deno.args]), { usage: USAGE });
}
