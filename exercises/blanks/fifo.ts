/** Practice mode: the exercises of examples/fifo (see exercises/catalogue.ts). @module */
import type { Exercise } from "../exercise.ts";

export const FIFO: Exercise[] = [
  {
    name: "writefifo",
    example: "examples/fifo/writefifo.ts",
    origin: "seed 000, writefifo.c",
    goal: "Make the FIFO, open it for writing, remove its name once both ends are open, " +
      "write each line into it, close it.",
    hints: [
      "A FIFO is a name in the file system: mkfifo makes it (the seed has the call commented " +
      "out and expects `mkfifo testfifo` first), then it is opened like a file.",
      "Opening a FIFO for writing waits for a reader; inside one FFI call that would freeze the " +
      "program (Ctrl+C could not clean up). Open with O_NONBLOCK: ENXIO means no reader yet, and " +
      "the loop around the open tries again. Once both ends are open the name can go: unlink it.",
      "The calls, in the C's order: mkfifo(), open(O_WRONLY), write() for each line, close(), " +
      "unlink() (mkfifo and unlink are commented out in the seed; the port unlinks as soon as " +
      "both ends are open). Here: mkfifo(path, 0o644, { existOk: true }), " +
      "openFile(path, O.WRONLY | O.NONBLOCK | O.CLOEXEC), unlink(path), " +
      "write(fifo.fd, message), fifo.close().",
    ],
    tests: { file: "tests/fifo_test.ts", filter: "writefifo" },
    diagnoses: [
      {
        when: "left behind",
        say: "The FIFO's name stayed in the directory. The program that made it removes it as " +
          "soon as both ends are open (the open descriptors keep the pipe working): unlink(path) " +
          'right after the open (C: unlink("testfifo"), commented out at the end of the seed).',
      },
      {
        when: "timed out waiting for /?(writefifo: )?waiting for a(/| reader)",
        say: "writefifo never said it waits for a reader: its open blocked inside the FFI call, " +
          "as the C's open(O_WRONLY) blocks. Open with O.WRONLY | O.NONBLOCK | O.CLOEXEC: " +
          "it fails with ENXIO while no reader has the FIFO open, and the loop tries again.",
      },
    ],
    blanks: [
      {
        find: "  const created = mkfifo(path, 0o644, { existOk: true });\n",
        todo: "  const created = todo<boolean>(\n" +
          '    "make the FIFO at path, mode 0644, if missing: true when made, false on EEXIST " +\n' +
          '      "(C: mkfifo(path, S_IRUSR|S_IWUSR|S_IRGRP|S_IROTH), commented out in the seed)",\n' +
          "  );\n",
      },
      {
        find: "      opened = openFile(path, O.WRONLY | O.NONBLOCK | O.CLOEXEC);\n",
        todo: "      opened = todo<Fd>(\n" +
          '        "open path for writing, non-blocking (ENXIO while no reader), close-on-exec " +\n' +
          '          "(C: open(path, O_WRONLY))",\n' +
          "      );\n",
      },
      {
        find: "    unlink(path);\n",
        todo:
          '    todo("remove the FIFO\'s name: both ends are open (C: unlink(path), commented out)");\n',
      },
      {
        find: "          write(fifo.fd, message);\n",
        todo: "          todo(\n" +
          '            "write message, its NUL included, into the FIFO (C: write(fd, buf, strlen(buf)))",\n' +
          "          );\n",
      },
      {
        find: "  fifo.close(); // (`using` closes it on the error paths)\n",
        todo:
          '  todo("close the FIFO (C: close(fd))"); // (`using` closes it on the error paths)\n',
      },
    ],
  },
  {
    name: "readfifo",
    example: "examples/fifo/readfifo.ts",
    origin: "seed 000, readfifo.c",
    goal: "Make the FIFO, open it for reading, remove its name once both ends are open, " +
      "read the messages until quit or end-of-file, close it.",
    hints: [
      "Like writefifo: make the FIFO when it is missing (the C expects `mkfifo testfifo` first), " +
      "open it, and remove its name once a writer has it open too.",
      "A blocking open(O_RDONLY) waits for a writer inside one FFI call, freezing the program: " +
      "open with O_NONBLOCK, which returns at once; the poll after it does the waiting. In the " +
      "loop, read only after poll has reported data or a hang-up.",
      "The calls, in order: mkfifo() (not in the C), open(O_RDONLY), unlink() (not in the C), " +
      "read() until it returns 0, close(). Here: mkfifo(path, 0o644, { existOk: true }), " +
      "openFile(path, O.RDONLY | O.NONBLOCK | O.CLOEXEC), unlink(path), read(fifo.fd, buf), " +
      "fifo.close().",
    ],
    tests: { file: "tests/fifo_test.ts", filter: "readfifo" },
    diagnoses: [
      {
        when: "left behind",
        say: "The FIFO's name stayed in the directory. The program that made it removes it as " +
          "soon as both ends are open (the open descriptors keep the pipe working): " +
          'unlink(path) once the poll has seen a writer (C: unlink("testfifo")).',
      },
      {
        when: "timed out waiting for /?(readfifo: )?waiting for a(/| writer)",
        say: "readfifo never said it waits for a writer: its open blocked inside the FFI call, " +
          "as the C's open(O_RDONLY) blocks until a writer comes. Open with " +
          "O.RDONLY | O.NONBLOCK | O.CLOEXEC: it returns at once, and the poll after it waits.",
      },
    ],
    blanks: [
      {
        find: "  const created = mkfifo(path, 0o644, { existOk: true });\n",
        todo: "  const created = todo<boolean>(\n" +
          '    "make the FIFO at path, mode 0644, if missing: true when made, false on EEXIST " +\n' +
          '      "(C: mkfifo(path, S_IRUSR|S_IWUSR|S_IRGRP|S_IROTH); the seed has none)",\n' +
          "  );\n",
      },
      {
        find: "  using fifo = openFile(path, O.RDONLY | O.NONBLOCK | O.CLOEXEC);\n",
        todo: "  using fifo = todo<ReturnType<typeof openFile>>(\n" +
          '    "open path for reading, non-blocking (at once, writer or not), close-on-exec " +\n' +
          '      "(C: open(path, O_RDONLY))",\n' +
          "  );\n",
      },
      {
        find: "    unlink(path); // both ends are open now: the name is no longer needed\n",
        todo: '    todo("remove the FIFO\'s name: both ends are open now (C: unlink(path))");\n',
      },
      {
        find: "      n = read(fifo.fd, buf);\n",
        todo:
          '      n = todo<number>("read what is there into buf (C: read(fd, buf, sizeof(buf)))");\n',
      },
      {
        find: "  fifo.close(); // (`using` closes it on the error paths)\n",
        todo:
          '  todo("close the FIFO (C: close(fd))"); // (`using` closes it on the error paths)\n',
      },
    ],
  },
];
