/** Practice mode: the exercises of examples/pipes (see exercises/catalogue.ts). @module */
import type { Exercise } from "../exercise.ts";

export const PIPES: Exercise[] = [
  {
    name: "pipe-parent-child",
    example: "examples/pipes/pipe-parent-child.ts",
    origin: "seed 000, pipe_parent_child.c",
    goal: "Make the pipe, write ten ints into it, close the ends at the right moments, " +
      "read them in the child.",
    hints: [
      "The parent needs the pipe before it starts the child: the child inherits the read end.",
      "A reader sees end-of-file only when every write end is closed: the parent must close " +
      "fds[1] after its last write, before it waits for the child.",
      "The calls, in the C's order: pipe(), close(fds[0]) in the parent, write() ten times, " +
      "close(fds[1]), wait(); in the child, read() until it returns 0. Here: pipe(), " +
      "fds.read.close(), write(fds.write.fd, bytes), fds.write.close(), readFull(fd, bytes).",
    ],
    tests: { file: "tests/pipes_test.ts", filter: "^pipe-parent-child" },
    diagnoses: [
      {
        when: "timed out|did not end",
        say: "The child never saw end-of-file. read() on a pipe returns 0 only when every " +
          "write end is closed, and the parent still holds fds[1]: close it after the last " +
          "write (C: close(fds[1])), before waiting for the child.",
      },
    ],
    blanks: [
      {
        find: "  using fds = pipe();\n",
        todo: '  using fds = todo<ReturnType<typeof pipe>>("create the pipe (C: pipe(fds))");\n',
      },
      {
        find: "  // close(fds[0]);  -- the parent only writes\n  fds.read.close();\n",
        todo: "  // close(fds[0]);  -- the parent only writes\n" +
          '  todo("close the read end: the parent only writes (C: close(fds[0]))");\n',
      },
      {
        find: "      write(fds.write.fd, bytes);\n",
        todo:
          '      todo("write the 4 bytes of i into the pipe (C: write(fd, &i, sizeof(int)))");\n',
      },
      {
        find: "  // close(fds[1]);  -- now the child's read() can return 0\n  fds.write.close();\n",
        todo: "  // close(fds[1]);\n" +
          '  todo("close the write end: the child sees end-of-file only then (C: close(fds[1]))");\n',
      },
      {
        find: "  while (readFull(fd, bytes) === 4) {\n",
        todo: "  while (\n" +
          '    todo<number>("read 4 bytes from the pipe into bytes (C: read(fd, &val, sizeof(int)))") ===\n' +
          "      4\n" +
          "  ) {\n",
      },
    ],
  },
  {
    name: "cpipe",
    example: "examples/pipes/cpipe.ts",
    origin: "seed 000, cpipe.c",
    goal: "Make the pipe, start each program with its stdout or stdin on it, close the parent's " +
      "ends, wait for the programs in order.",
    hints: [
      "The parent makes the pipe before it starts any program: each child gets its end through " +
      "a file action, which posix_spawnp runs in the child just before exec (the C child's dup2).",
      "The last program sees end-of-file only when every write end is closed, the parent's too: " +
      "once all programs are started, the parent closes both ends of every pipe, then waits.",
      "The calls, in the C's order: pipe(), fork(); in the children dup2(fd, STDOUT_FILENO) or " +
      "dup2(fd, STDIN_FILENO), execlp(); in the parent close(fds[0]), close(fds[1]), waitpid() " +
      "for each child. Here: pipe(), the file actions { dup2: [pipes[i - 1].read.fd, 0] } and " +
      "{ dup2: [pipes[i].write.fd, 1] }, spawn(program, commands[i], { fileActions: actions }), " +
      "p.read.close(), p.write.close(), await child.wait().",
    ],
    tests: { file: "tests/pipes_test.ts", filter: "^cpipe" },
    args: ["ls", "wc"],
    diagnoses: [
      {
        when: "did not end|timed out",
        say: "The last program never saw end-of-file: it reads until every write end of its " +
          "pipe is closed, and the parent still holds one. Once all programs are started, close " +
          "both ends of every pipe in the parent (C: close(fds[0]); close(fds[1])), before " +
          "waiting for the children.",
      },
      {
        when: "\\s0\\s+0\\s+0\\b",
        say: "The last program counted nothing: it did not read the pipe, or the first one did " +
          "not write into it. The file actions put the pipe on the standard streams: stage i's " +
          "fd 1 is pipes[i].write.fd (C: dup2(fds[1], STDOUT_FILENO)), stage i + 1's fd 0 is " +
          "pipes[i].read.fd (C: dup2(fds[0], STDIN_FILENO)).",
      },
    ],
    blanks: [
      {
        find: "    for (let i = 0; i < commands.length - 1; i++) pipes.push(pipe());\n",
        todo: "    for (let i = 0; i < commands.length - 1; i++) {\n" +
          '      pipes.push(todo<Pipe>("create the pipe from stage i to stage i + 1 (C: pipe(fds))"));\n' +
          "    }\n",
      },
      {
        find: "      if (i > 0) actions.push({ dup2: [pipes[i - 1].read.fd, 0] });\n",
        todo: "      if (i > 0) {\n" +
          "        actions.push(\n" +
          '          todo<FileAction>("fd 0 from the previous pipe\'s read end (C: dup2(fd, STDIN_FILENO))"),\n' +
          "        );\n" +
          "      }\n",
      },
      {
        find:
          "      if (i < commands.length - 1) actions.push({ dup2: [pipes[i].write.fd, 1] });\n",
        todo: "      if (i < commands.length - 1) {\n" +
          "        actions.push(\n" +
          '          todo<FileAction>("fd 1 into this pipe\'s write end (C: dup2(fd, STDOUT_FILENO))"),\n' +
          "        );\n" +
          "      }\n",
      },
      {
        find: "        children.push(spawn(program, commands[i], { fileActions: actions }));\n",
        todo: "        children.push(\n" +
          "          todo<ChildProcess>(\n" +
          '            "start program with argv commands[i] and these file actions " +\n' +
          '              "(C: fork(), then execlp(path, path, (char *) NULL) in the child)",\n' +
          "          ),\n" +
          "        );\n",
      },
      {
        find: "    // close(fds[0]); close(fds[1]);  -- else the last reader never sees EOF\n" +
          "    for (const p of pipes) {\n" +
          "      p.read.close();\n" +
          "      p.write.close();\n" +
          "    }\n",
        todo: "    // close(fds[0]); close(fds[1]);\n" +
          "    for (const p of pipes) {\n" +
          "      todo(\n" +
          '        "close both ends of p: the last program sees end-of-file only then " +\n' +
          '          "(C: close(fds[0]); close(fds[1]))",\n' +
          "      );\n" +
          "    }\n",
      },
      {
        find: "    const status = await child.wait();\n",
        todo: '    const status = await todo<ReturnType<ChildProcess["wait"]>>(\n' +
          '      "wait for this child to end, in order (C: waitpid(pidChild1, NULL, 0))",\n' +
          "    );\n",
      },
    ],
  },
];
