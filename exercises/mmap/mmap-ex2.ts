// deno-lint-ignore-file no-unused-vars
// EXERCISE 9: mmap-ex2 (seed 003, mmap_ex2.c)
// Open the file, write its text, map its first 64 bytes shared or private, and copy each line typed into the mapping, then msync.
// Replace each todo(...) with the call it describes. Check: `deno task exercise check mmap-ex2`; a hint: `deno task exercise hint mmap-ex2`.
import { todo } from "../../exercises/todo.ts";
/**
 * mmap-ex2: the same file mapped MAP_SHARED or MAP_PRIVATE, side by side.
 *
 * Ports: mmap_ex2.c of seed 003 (the mmap slides: "mmap: example", 3
 * pages, and its sample run). Usage `mmap_ex2 <s | p>`.
 *
 * Demonstrates: the program (re)writes a 74-byte text at the start of the
 * file `shared_mmap`, maps its first 64 bytes with `mmap(2)`, then loops:
 * a line starting with `*` prints the 64 mapped bytes, any other line is
 * copied (with its newline, as `fgets` keeps it) to the start of the
 * mapping and `msync(MS_SYNC)` is called.
 * - `s`, MAP_SHARED: the pages *are* the file's pages in the kernel's page
 *   cache. A write through the mapping is at once visible to every other
 *   process that maps the file shared (and to `read(2)`/`cat`); `msync`
 *   makes sure it has also reached the disk.
 * - `p`, MAP_PRIVATE: copy-on-write. Reads see the file's pages; the first
 *   write to a page gives this process its own copy of it. Neither the file
 *   nor any other process ever sees that write (`msync` succeeds and writes
 *   nothing). Note that until it writes, a private mapping is *not* a
 *   snapshot: on Linux it still sees what others write to the file.
 *
 * Run it in two terminals, in the same directory (the file `shared_mmap`
 * is made in the directory you run `deno task` from, like the C program
 * makes it in its current directory; `--file PATH` names another file):
 *
 *     terminal 1: deno task mmap-ex2 s        terminal 2: deno task mmap-ex2 s
 *
 * Start both first (each one rewrites the text at start), then type a line
 * into one and `*` into the other: it shows the line. `cat shared_mmap`
 * shows it too. Do the same with `p` in both: only the process you typed
 * into shows the line. End each with Ctrl+D (EOF). `IPC_TRACE=1` shows the
 * open/write/mmap/msync calls.
 *
 * Where it departs from the C and why:
 * - EOF on stdin (Ctrl+D) ends the program cleanly (newline, `munmap`,
 *   `close`, exit 0). The original's `fgets(...) == NULL` branch is the
 *   empty comment `{ error handling }`: at EOF it loops forever on the stale
 *   buffer (re-copying the last line, or printing the mapping endlessly).
 * - The argument must be exactly `s` or `p`; anything else prints the
 *   original's usage line (`Usage : mmap_ex2 <s | p>`, alone) and exits 1;
 *   `--help` prints the port's, which also names `--file FILE`. The
 *   original only looks at the first character and takes anything but `s`
 *   (even `x`) as private.
 * - A line is copied up to the 64 mapped bytes. The original's
 *   `memcpy(p_map, a_input, strlen(a_input))` copies up to 99 bytes into a
 *   64-byte mapping: it does not crash (the kernel maps a whole page), but
 *   with MAP_SHARED bytes 64-73 of the file change too.
 * - Input is still read like `fgets(a_input, 100, stdin)`: a line longer
 *   than 99 bytes is taken in 99-byte pieces, each one its own turn of the
 *   loop (with its own prompt), `strlen` stops at a NUL byte, and the bytes
 *   are copied as they are (nothing is decoded as UTF-8).
 * - Waiting for input: `poll` on stdin in 50 ms slices, then `read`, where
 *   the C blocks in `read` inside `fgets`. A JavaScript signal listener only
 *   runs between calls, so a read blocked in FFI would make Ctrl+C wait for
 *   the next line (the trace shows these `poll` calls).
 * - `*` prints like `printf("%.*s", 64, p_map)`: at most 64 bytes, and
 *   only up to the first NUL byte; the bytes are written out as they are.
 * - Checks the original misses: the file must be at least 64 bytes long
 *   after the write (a mapping past the end of a file is accepted by
 *   `mmap`, but touching it kills the process with SIGBUS), and a file that
 *   cannot be mapped at all (`--file /dev/null`: ENODEV) is reported. The
 *   size check costs no extra call: `write` returned 74 bytes written from
 *   offset 0, so the file is long enough (`mmap`'s `knownMinSize`); only a
 *   write shorter than 64 bytes would make it ask `fstat`. So, but for the
 *   `poll` above and the `munmap` and `close` at EOF, the calls are the
 *   original's: open, write, mmap, read, msync.
 * - Messages: the usage line and errors go to stderr (the original prints
 *   them with `printf`); errors name the file and the errno, e.g.
 *   `mmap-ex2: open /no/dir/shared_mmap: ENOENT (No such file or directory)`
 *   where the original printed `Fail: open(): (2:No such file or directory)`.
 * - Ctrl+C exits with 130 (SIGTERM 143): the port catches the signal and
 *   exits with 128 + its number (the kernel unmaps and closes, as at any
 *   exit), where the C program is killed by it; a shell shows 130 for
 *   both. The file `shared_mmap` is left in place, as with the C program:
 *   it is the user's file, not an IPC object.
 *
 * Calls that differ from the C (checked by `deno task compare`): none.
 * (The polls of stdin are terminal I/O, which compare leaves out; the
 * `munmap` and `close` come at EOF, where the C never gets.)
 *
 * @module
 */
import {
  cString,
  exitOnSignals,
  inInvocationDirectory,
  LineReader,
  MAP,
  mmap,
  MS,
  msync,
  munmap,
  O,
  openFile,
  PROT,
  runMain,
  setTraceRole,
  takeOption,
  UsageError,
  write,
} from "../../lib/libc.ts";

// #define MMAP_FILENAME   "shared_mmap"
const MMAP_FILENAME = "shared_mmap";
// #define MMAP_SIZE       64
const MMAP_SIZE = 64;
// char contents[]="(*) What's difference between Shared mmap and Private mmap?    - end - ";
const CONTENTS = `(*) What's difference between Shared mmap and Private mmap?${
  " ".repeat(6)
}- end - `;
// char a_input[100];  -- fgets keeps at most 99 bytes and a NUL
const INPUT_SIZE = 100;
// printf("Usage : %s <s | p>\n", argv[0]);  -- printed alone for bad arguments, as the C does
const ORIGINAL_USAGE = "Usage : mmap_ex2 <s | p>";
/** The port's usage (`--help`): the original's, and the option the port adds. */
const USAGE = "usage: mmap-ex2 [--file FILE] <s | p>   (s: MAP_SHARED, p: MAP_PRIVATE; " +
  "FILE default: shared_mmap in the current directory)";
const PROMPT = "'*' print Current mmap otherwise input text to mmap. >>";

const encoder = new TextEncoder();

/** printf to stdout, unbuffered: the prompt has no newline. */
function print(text: string | Uint8Array): void {
  let bytes = typeof text === "string" ? encoder.encode(text) : text;
  while (bytes.length > 0) bytes = bytes.subarray(Deno.stdout.writeSync(bytes));
}

/** `strlen`: the bytes before the first NUL (all of them if there is none). */
function untilNul(bytes: Uint8Array): Uint8Array {
  const nul = bytes.indexOf(0);
  return nul === -1 ? bytes : bytes.subarray(0, nul);
}

async function main(args: string[]): Promise<number> {
  setTraceRole("mmap_ex2");
  const fileName = takeOption(args, "file") ?? MMAP_FILENAME;
  // if (argc != 2) { printf("Usage : %s <s | p>\n", argv[0]); return EXIT_FAILURE; }
  if (args.length !== 1 || (args[0] !== "s" && args[0] !== "p")) {
    throw new UsageError(ORIGINAL_USAGE, 1, { withUsage: false });
  }
  exitOnSignals();
  const path = inInvocationDirectory(fileName);

  // fd = open(MMAP_FILENAME, O_RDWR|O_CREAT, 0664);
  using file = todo<ReturnType<typeof openFile>>(
    "open path read-write, creating it with mode 0664 " +
      "(C: fd = open(MMAP_FILENAME, O_RDWR|O_CREAT, 0664))",
  );
  // n_write = write(fd, contents, sizeof(contents));  -- 73 characters + NUL
  const nWrite = todo<number>(
    "write CONTENTS and its NUL at the start of the file " +
      "(C: n_write = write(fd, contents, sizeof(contents)))",
  );
  // printf("%d byte writing... to file -> %s\n", n_write, MMAP_FILENAME);
  print(`${nWrite} byte writing... to file -> ${fileName}\n`);

  // flag_mmap = (*argv[1] == 's') ? MAP_SHARED : MAP_PRIVATE;
  const flagMmap = todo<number>(
    "MAP_SHARED for s, MAP_PRIVATE for p " +
      "(C: flag_mmap = *argv[1] == 's' ? MAP_SHARED : MAP_PRIVATE)",
  );
  // p_map = mmap((void *)0, MMAP_SIZE, PROT_READ|PROT_WRITE, flag_mmap, fd, 0);
  // if (p_map == MAP_FAILED) ...  -- mmap() checks it, and the file's size:
  // the write above put nWrite bytes at offset 0, so that is known without fstat.
  using pMap = todo<ReturnType<typeof mmap>>(
    "map the first MMAP_SIZE bytes of the file read-write with flagMmap, options " +
      "{ subject: path, knownMinSize: nWrite } " +
      "(C: p_map = mmap(0, MMAP_SIZE, PROT_READ|PROT_WRITE, flag_mmap, fd, 0))",
  );

  // fgets over raw bytes (LineReader.fgets): at most size - 1 bytes up to the
  // newline, never decoded, so a byte that is not UTF-8 reaches the mapping as typed.
  const stdin = new LineReader(0);
  while (true) {
    // printf("'*' print Current mmap otherwise input text to mmap. >>");
    print(PROMPT);
    // if (fgets(a_input, sizeof(a_input), stdin) == NULL) { /* error handling */ }
    const aInput = await stdin.fgets(INPUT_SIZE);
    if (aInput === null) { // EOF: end cleanly (the original loops forever)
      print("\n");
      // Never reached in the C: munmap(p_map, MMAP_SIZE); close(fd);
      munmap(pMap);
      file.close();
      return 0;
    }

    if (aInput[0] === 0x2a /* '*' */) {
      // printf("Current mmap -> '%.*s'\n", MMAP_SIZE, p_map);
      print(
        new Uint8Array([
          ...encoder.encode("Current mmap -> '"),
          ...untilNul(pMap.bytes),
          ...encoder.encode("'\n"),
        ]),
      );
    } else {
      // memcpy(p_map, a_input, strlen(a_input));  -- at most the 64 mapped bytes
      todo(
        "copy the line up to its NUL, at most MMAP_SIZE bytes, to the start of the " +
          "mapping (C: memcpy(p_map, a_input, strlen(a_input)))",
      );
      // if (msync(p_map, MMAP_SIZE, MS_SYNC) == -1) { ... return EXIT_FAILURE; }
      todo("write the mapping back to the file (C: msync(p_map, MMAP_SIZE, MS_SYNC))");
    }
  }
}

if (import.meta.main) {
  await runMain("mmap-ex2", () => main([...Deno.args]), { usage: USAGE });
}
