/** Practice mode: the exercises of examples/mmap (see exercises/catalogue.ts). @module */
import type { Exercise } from "../exercise.ts";

export const MMAP: Exercise[] = [
  {
    name: "mmap-ex2",
    example: "examples/mmap/mmap-ex2.ts",
    origin: "seed 003, mmap_ex2.c",
    goal: "Open the file, write its text, map its first 64 bytes shared or private, and copy " +
      "each line typed into the mapping, then msync.",
    hints: [
      "Map only what the file holds: write the 74 bytes of CONTENTS first, then map the first " +
      "MMAP_SIZE (64) bytes; touching a mapped page past the end of the file is a SIGBUS.",
      "The whole lesson is one flag: MAP_SHARED for s (the file's own pages: every process " +
      "mapping it sees a write at once) and MAP_PRIVATE for p (copy-on-write: only the " +
      "writer sees it). A line is a memcpy into the mapping, followed by msync(MS_SYNC).",
      "The calls, in the C's order: open(MMAP_FILENAME, O_RDWR|O_CREAT, 0664), write(fd, " +
      "contents, sizeof(contents)), mmap(0, MMAP_SIZE, PROT_READ|PROT_WRITE, flag_mmap, fd, " +
      "0), then per line memcpy(p_map, a_input, strlen(a_input)) and msync(p_map, MMAP_SIZE, " +
      "MS_SYNC). Here: openFile(path, O.RDWR | O.CREAT, 0o664), write(file.fd, " +
      'cString(CONTENTS)), args[0] === "s" ? MAP.SHARED : MAP.PRIVATE, mmap(MMAP_SIZE, ' +
      "PROT.READ | PROT.WRITE, flagMmap, file.fd, 0, { subject: path, knownMinSize: nWrite " +
      "}), pMap.bytes.set(untilNul(aInput).subarray(0, MMAP_SIZE)), msync(pMap, MS.SYNC).",
    ],
    tests: { file: "tests/mmap_test.ts", filter: "^mmap-ex2" },
    args: ["s"],
    diagnoses: [
      {
        when: "seen by '\\*' in the other and is in the file \\.\\.\\. FAILED",
        say: "With s, the other process (and the file) did not see the line typed: copy it " +
          "into the mapping (C: memcpy(p_map, a_input, strlen(a_input))), and map with " +
          "MAP_SHARED when the argument is s (C: flag_mmap = MAP_SHARED): a private mapping " +
          "keeps its writes to itself.",
      },
      {
        when:
          "only the writer's own '\\*' shows the line; the other and the file do not \\.\\.\\. FAILED",
        say: "With p, the line reached the other process or the file: map with MAP_PRIVATE " +
          "when the argument is p (C: flag_mmap = MAP_PRIVATE), copy-on-write, so that a " +
          "write stays in the writer's own copy of the page.",
      },
      {
        when: "msync\\(MS_SYNC\\) after each write \\.\\.\\. FAILED",
        say: "The traced calls differ from the C's: open(O_RDWR|O_CREAT, 0664), a write of " +
          "the 74 bytes, mmap(NULL, 64, PROT_READ|PROT_WRITE, ...), and msync(MS_SYNC) after " +
          "each line copied (not after a '*'). Without knownMinSize: nWrite, mmap() asks " +
          "fstat for the file's size, a call the C does not make.",
      },
    ],
    blanks: [
      {
        find: "  using file = openFile(path, O.RDWR | O.CREAT, 0o664);\n",
        todo: "  using file = todo<ReturnType<typeof openFile>>(\n" +
          '    "open path read-write, creating it with mode 0664 " +\n' +
          '      "(C: fd = open(MMAP_FILENAME, O_RDWR|O_CREAT, 0664))",\n' +
          "  );\n",
      },
      {
        find: "  const nWrite = write(file.fd, cString(CONTENTS));\n",
        todo: "  const nWrite = todo<number>(\n" +
          '    "write CONTENTS and its NUL at the start of the file " +\n' +
          '      "(C: n_write = write(fd, contents, sizeof(contents)))",\n' +
          "  );\n",
      },
      {
        find: '  const flagMmap = args[0] === "s" ? MAP.SHARED : MAP.PRIVATE;\n',
        todo: "  const flagMmap = todo<number>(\n" +
          '    "MAP_SHARED for s, MAP_PRIVATE for p " +\n' +
          "      \"(C: flag_mmap = *argv[1] == 's' ? MAP_SHARED : MAP_PRIVATE)\",\n" +
          "  );\n",
      },
      {
        find: "  using pMap = mmap(MMAP_SIZE, PROT.READ | PROT.WRITE, flagMmap, file.fd, 0, {\n" +
          "    subject: path,\n    knownMinSize: nWrite,\n  });\n",
        todo: "  using pMap = todo<ReturnType<typeof mmap>>(\n" +
          '    "map the first MMAP_SIZE bytes of the file read-write with flagMmap, options " +\n' +
          '      "{ subject: path, knownMinSize: nWrite } " +\n' +
          '      "(C: p_map = mmap(0, MMAP_SIZE, PROT_READ|PROT_WRITE, flag_mmap, fd, 0))",\n' +
          "  );\n",
      },
      {
        find: "      pMap.bytes.set(untilNul(aInput).subarray(0, MMAP_SIZE));\n",
        todo: "      todo(\n" +
          '        "copy the line up to its NUL, at most MMAP_SIZE bytes, to the start of the " +\n' +
          '          "mapping (C: memcpy(p_map, a_input, strlen(a_input)))",\n' +
          "      );\n",
      },
      {
        find: "      msync(pMap, MS.SYNC);\n",
        todo:
          '      todo("write the mapping back to the file (C: msync(p_map, MMAP_SIZE, MS_SYNC))");\n',
      },
    ],
  },
];
