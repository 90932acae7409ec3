// deno-lint-ignore-file no-unused-vars
// EXERCISE 3: writefifo (seed 000, writefifo.c)
// Make the FIFO, open it for writing, remove its name once both ends are open, write each line into it, close it.
// Replace each todo(...) with the call it describes. Check: `deno task exercise check writefifo`; a hint: `deno task exercise hint writefifo`.
import { todo } from "../../exercises/todo.ts";
/**
 * writefifo: the writing side of a named pipe (FIFO).
 *
 * Ports: `writefifo.c` of seed 000 (Linux System Programming, Part 6,
 * section "İsimli Boru Haberleşmesi"); its partner is readfifo.ts.
 *
 * Demonstrates: a FIFO is a pipe with a name in the file system, so two
 * unrelated processes can find it. The writer opens it for writing, which
 * waits until some process opens it for reading; then each line typed
 * after the prompt `text:` goes through the kernel's pipe buffer to the
 * reader, until `quit`.
 *
 * Run, in two terminals, in the same directory (the FIFO `testfifo` is
 * made there, in the directory you run `deno task` from):
 *
 *     deno task writefifo        # terminal 1: type lines, then quit
 *     deno task readfifo         # terminal 2: prints each line
 *
 * Either may start first. `--path /tmp/x` uses another FIFO.
 * `IPC_TRACE=1` shows every libc call.
 *
 * How the C original fails, and why the port frames messages: the C
 * writer sends each line *without* its newline (`write(fd, buf,
 * strlen(buf))`), and the C reader prints whatever one `read` returned.
 * A pipe is a byte stream, not a message queue: two writes that arrive
 * before the reader's next `read` come out as one. Measured with the C
 * programs of the seed (gcc, `gets` replaced by `fgets`):
 *
 *     $ mkfifo testfifo
 *     $ ./readfifo > out.txt & printf 'hello\nworld\nquit\n' | ./writefifo
 *     text:text:text:
 *     $ cat out.txt
 *     helloworldquit
 *
 * Three messages became one line, and the reader never saw `quit` on its
 * own (it stopped only because the writer closed). The port sends each
 * message as a C string *with* its terminating NUL: `strlen + 1` bytes in
 * one `write`. That one byte is the whole framing, and it keeps the C
 * peers working: the C readfifo's `strcmp` and `puts` stop at the NUL, so
 * it prints each message without an extra blank line and stops at
 * `quit`; the port readfifo splits the stream at NULs (and takes a C
 * writer's unterminated line, one `write` per `read`, as one message).
 *
 * Where it departs from the C and why:
 * - The FIFO is created when missing (mode 0644 less the umask; the C has
 *   the `mkfifo` call commented out and expects `mkfifo testfifo` first),
 *   and whichever program created it removes it, as soon as both ends are
 *   open (the open descriptors keep the pipe working), or on Ctrl+C. A
 *   FIFO you made yourself is left alone. A path that exists but is not a
 *   FIFO is refused. SIGKILL runs no cleanup: a creator killed while it
 *   waits for its peer leaves the FIFO, and the next run cannot tell it
 *   from one you made with `mkfifo testfifo` (as the C originals need):
 *   it uses it and leaves it (`rm testfifo` removes it; see the topic
 *   page, "When the other side goes away").
 * - `open(O_WRONLY)` would block in one FFI call, freezing the isolate:
 *   Ctrl+C could not run the cleanup. The port opens with `O_NONBLOCK`,
 *   which fails with ENXIO while there is no reader, and retries every
 *   50 ms, saying once on stderr that it waits. Writes stay non-blocking
 *   too (see lib/fifo.ts): a full FIFO makes us wait for POLLOUT in short
 *   slices, never inside a blocking `write`.
 * - Each message carries its NUL (above); a line longer than 1022 bytes
 *   goes as several messages, so that each one with its NUL fits the C
 *   readfifo's `char buf[1024]` (the C writer's `fgets` into 1024 bytes
 *   cuts long lines too).
 * - `gets` is gone (it cannot be used safely). At end of input (Ctrl+D)
 *   the C loop would resend its last line forever; the port sends `quit`
 *   and ends, so the reader can tell a finished conversation from a writer
 *   that died (readfifo exits non-zero on the latter).
 * - While waiting for you to type, the port also watches the FIFO: if the
 *   reader goes away (POLLERR), it says so and exits 1 at once, instead of
 *   failing with EPIPE at the next line. Deno ignores SIGPIPE, so a write
 *   without reader returns EPIPE here where the C program would be killed.
 *
 * Calls that differ from the C (checked by `deno task compare`):
 * - `+mkfifo`: the FIFO is made when missing (EEXIST when it is there;
 *   one the port made, it also unlinks).
 * - `+statx`: a path that is not a FIFO is refused: `fstat` of the
 *   descriptor, after the open (and `stat` of the path when the open
 *   keeps failing with ENXIO, which a socket also gives).
 * - `+poll`: the port waits in slices, for you to type while watching the
 *   FIFO for a reader gone, and for room in a full FIFO (see above).
 *
 * @module
 */
import {
  Errno,
  exitOnSignals,
  type Fd,
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
  pollAsync,
  read,
  runMain,
  setTraceRole,
  stat,
  takeOption,
  unlink,
  unlinkIfExists,
  UsageError,
  write,
  yieldToEventLoop,
} from "../../lib/libc.ts";

const USAGE = "usage: writefifo [--path FIFO]   (default: testfifo in the current directory)";
const encoder = new TextEncoder();
/** Pause between two opens that found no reader (ENXIO), ms. */
const RETRY_MS = 50;

/** Print without a newline (the prompt), like `printf` + `fflush`. */
function out(text: string): void {
  const bytes = encoder.encode(text);
  for (let done = 0; done < bytes.length;) done += Deno.stdout.writeSync(bytes.subarray(done));
}

/**
 * The next line from stdin without its newline, or `null` at end of input;
 * meanwhile watch the FIFO so a vanished reader is noticed at once.
 */
class StdinLines {
  #lines = new LineSplitter();
  #chunk = new Uint8Array(65536);
  #eof = false;

  async next(fifoFd: number, path: string): Promise<string | null> {
    for (;;) {
      const line = this.#lines.next();
      if (line) return line.text;
      if (this.#eof) return this.#lines.end()?.text ?? null;
      const [stdin, fifo] = await pollAsync([
        { fd: 0, events: POLL.IN },
        { fd: fifoFd, events: 0 }, // POLLERR: no reader is left
      ]);
      if (fifo & (POLL.ERR | POLL.HUP)) {
        throw new Error(`the reader closed ${path} (poll: POLLERR); nothing more can be sent`);
      }
      if (stdin) {
        const n = read(0, this.#chunk);
        if (n === 0) this.#eof = true;
        else this.#lines.push(this.#chunk.subarray(0, n));
      }
    }
  }
}

/**
 * The longest message text in bytes: with its NUL it must fit the C
 * readfifo's `char buf[1024]` (which also writes `buf[n] = '\0'`).
 */
const MAX_MESSAGE_BYTES = 1022;

/** `text` as C strings (each with its NUL) of at most MAX_MESSAGE_BYTES, cut between characters. */
function messages(text: string): Uint8Array[] {
  const bytes = encoder.encode(text);
  const out: Uint8Array[] = [];
  let from = 0;
  do {
    let to = Math.min(from + MAX_MESSAGE_BYTES, bytes.length);
    // never cut inside a UTF-8 sequence (continuation bytes are 10xxxxxx)
    while (to < bytes.length && to > from && (bytes[to] & 0xc0) === 0x80) to--;
    const message = new Uint8Array(to - from + 1); // the last byte stays 0: the NUL
    message.set(bytes.subarray(from, to));
    out.push(message);
    from = to;
  } while (from < bytes.length);
  return out;
}

async function main(args: string[]): Promise<number> {
  setTraceRole("writefifo");
  const path = inInvocationDirectory(takeOption(args, "path") ?? "testfifo");
  if (args.length > 0 || path === "") throw new UsageError(USAGE);
  exitOnSignals();

  // if (mkfifo("testfifo", S_IRUSR|S_IWUSR|S_IRGRP|S_IROTH) < 0) exitsys("mkfifo");
  // (commented out in the C.) EEXIST is no error: whether it is a FIFO, fstat says below.
  const created = todo<boolean>(
    "make the FIFO at path, mode 0644, if missing: true when made, false on EEXIST " +
      "(C: mkfifo(path, S_IRUSR|S_IWUSR|S_IRGRP|S_IROTH), commented out in the seed)",
  );
  const removal = created ? onCleanup(`remove ${path}`, () => unlinkIfExists(path)) : undefined;
  if (created) console.error(`writefifo: created FIFO ${path} (mode 0644)`);

  // if ((fd = open("testfifo", O_WRONLY)) < 0) exitsys("testfifo");
  // O_NONBLOCK: ENXIO while no process has it open for reading; then try
  // again after a pause in which Ctrl+C still works (where the C blocks).
  let opened: Fd | undefined;
  for (let attempt = 0; opened === undefined; attempt++) {
    try {
      opened = todo<Fd>(
        "open path for writing, non-blocking (ENXIO while no reader), close-on-exec " +
          "(C: open(path, O_WRONLY))",
      );
    } catch (e) {
      if (!(e instanceof LibcError) || e.errno !== Errno.ENXIO) throw e;
      if (attempt === 0) {
        // A socket (or a device without its driver) says ENXIO too:
        // only a FIFO has a reader to wait for.
        const type = stat(path).type;
        if (type !== "fifo") throw new NotAFifoError(path, type);
        console.error(`writefifo: waiting for a reader to open ${path}`);
      }
      await yieldToEventLoop(RETRY_MS);
    }
  }
  using fifo = opened;
  const type = fstat(fifo.fd).type; // not in the C: refuse a regular file, a device...
  if (type !== "fifo") throw new NotAFifoError(path, type);
  if (removal) {
    // if (unlink("testfifo") < 0) exitsys("testfifo");  -- (commented out in the C, at its
    // end) early: both ends are open, and the open descriptors keep the pipe working
    todo("remove the FIFO's name: both ends are open (C: unlink(path), commented out)");
    removal.done();
    console.error(`writefifo: both ends are open; removed ${path}`);
  }

  const stdin = new StdinLines();
  for (;;) {
    // printf("text:"); fflush(stdout);
    out("text:");
    // gets(buf);  -- fgets() in the C as built here
    let line: string | null;
    try {
      line = await stdin.next(fifo.fd, path);
    } catch (e) {
      out("\n"); // the prompt is still open: the error message starts on a line of its own
      throw e;
    }
    if (line === null && Deno.stdin.isTerminal()) out("\n");
    const text = line ?? "quit"; // end of input: say goodbye like a user would
    // if (write(fd, buf, strlen(buf)) < 0) exitsys("write");  -- strlen(buf) + 1: with its NUL
    for (const message of messages(text)) {
      for (;;) {
        try {
          // At most PIPE_BUF bytes into a non-blocking FIFO: all of it, or EAGAIN and nothing.
          todo(
            "write message, its NUL included, into the FIFO (C: write(fd, buf, strlen(buf)))",
          );
          break;
        } catch (e) {
          if (e instanceof LibcError && e.errno === Errno.EPIPE) {
            throw new Error(`write ${path}: EPIPE (Broken pipe): the reader has gone`);
          }
          if (!(e instanceof LibcError) || e.errno !== Errno.EAGAIN) throw e;
        }
        await pollAsync([{ fd: fifo.fd, events: POLL.OUT }]); // the FIFO is full: wait for room
      }
    }
    // if (!strcmp(buf, "quit")) break;
    if (text === "quit") break;
  }
  // close(fd);
  todo("close the FIFO (C: close(fd))"); // (`using` closes it on the error paths)
  return 0;
}

if (import.meta.main) {
  await runMain("writefifo", () => main([...Deno.args]), { usage: USAGE });
}
