/** Practice mode: the exercises of examples/sysv-shm (see exercises/catalogue.ts). @module */
import type { Exercise } from "../exercise.ts";

export const SYSV_SHM: Exercise[] = [
  {
    name: "shmproc1",
    example: "examples/sysv-shm/shmproc1.ts",
    origin: "seed 000, shmproc1.c",
    goal: "Create and attach the segment, copy the string into it, and after ENTER detach it " +
      "and remove it.",
    hints: [
      "shmget gives an id, not memory: the string can be copied only after shmat has mapped " +
      "the segment into this process.",
      "A segment stays in the kernel until someone removes it: after ENTER, detach it, then " +
      "remove it (IPC_RMID), in the C's order. shmproc2 must find it until then.",
      "The calls, in the C's order: shmget(SHMKEY, 4096, 0660|IPC_CREAT), shmat(shmid, NULL, " +
      "0), strcpy(buf, ...), getchar(), shmdt(buf), shmctl(shmid, IPC_RMID, NULL). Here: " +
      "Segment.get(key, S.IRUSR | S.IWUSR | S.IRGRP | S.IWGRP | IPC.CREAT, { size: SHMSIZE }), " +
      'segment.attach(), buf.writeString("This is a test"), buf.detach(), segment.remove().',
    ],
    tests: { file: "tests/sysv_shm_test.ts", filter: "^shmproc1|a live shmproc1 has attached" },
    diagnoses: [
      {
        when: "ENOENT",
        say: "shmget found no segment of the key: without IPC_CREAT it only looks one up. " +
          "shmproc1 makes the segment: its flags are S_IRUSR|S_IWUSR|S_IRGRP|S_IWGRP|IPC_CREAT " +
          "(here S.IRUSR | S.IWUSR | S.IRGRP | S.IWGRP | IPC.CREAT).",
      },
      {
        when: "still there while shmproc1 waits",
        say: "The segment was gone while shmproc1 still waited for ENTER: shmdt and " +
          "shmctl(IPC_RMID) come after getchar(), not before, or shmproc2 finds no text.",
      },
      {
        when: "left behind|gone from /proc/sysvipc/shm",
        say: "The segment outlived shmproc1: a System V segment stays until IPC_RMID. After " +
          "shmdt(buf), remove it: shmctl(shmid, IPC_RMID, NULL) (here segment.remove()).",
      },
    ],
    blanks: [
      {
        find: "  using segment = Segment.get(key, S.IRUSR | S.IWUSR | S.IRGRP | S.IWGRP | " +
          "IPC.CREAT, {\n    size: SHMSIZE,\n  });\n",
        todo: "  using segment = todo<ReturnType<typeof Segment.get>>(\n" +
          '    "find or create the segment of key, SHMSIZE (4096) bytes, mode 0660 " +\n' +
          '      "(C: shmget(SHMKEY, 4096, S_IRUSR|S_IWUSR|S_IRGRP|S_IWGRP|IPC_CREAT))",\n' +
          "  );\n",
      },
      {
        find: "  using buf = segment.attach();\n",
        todo: "  using buf = todo<ReturnType<typeof segment.attach>>(\n" +
          '    "attach the segment to this process (C: buf = shmat(shmid, NULL, 0))",\n' +
          "  );\n",
      },
      {
        find: '  buf.writeString("This is a test");\n',
        todo:
          '  todo(\'copy "This is a test" into the segment (C: strcpy(buf, "This is a test"))\');\n',
      },
      {
        find: "  // shmdt(buf);\n  buf.detach();\n",
        todo: "  // shmdt(buf);\n" +
          '  todo("detach the segment from this process (C: shmdt(buf))");\n',
      },
      {
        find: "  if (!segment.remove()) {\n",
        todo: '  if (!todo<boolean>("remove the segment (C: shmctl(shmid, IPC_RMID, NULL))")) {\n',
      },
    ],
  },
  {
    name: "shmproc2",
    example: "examples/sysv-shm/shmproc2.ts",
    origin: "seed 000, shmproc2.c",
    goal: "Find the segment shmproc1 made, attach it, print the string it holds after ENTER, " +
      "and detach.",
    hints: [
      "The same key gives the same segment: shmproc2 calls shmget exactly as shmproc1 does " +
      "(IPC_CREAT included, so it works when started first), and attaches it with shmat.",
      "The string is already in this process's memory once attached: read it after ENTER " +
      "(puts(buf)), then detach. Removing the segment is not shmproc2's job: the C has no " +
      "IPC_RMID here, shmproc1 removes it.",
      "The calls, in the C's order: shmget(SHMKEY, 4096, 0660|IPC_CREAT), shmat(shmid, NULL, " +
      "0), getchar(), puts(buf), shmdt(buf). Here: Segment.get(key, S.IRUSR | S.IWUSR | " +
      "S.IRGRP | S.IWGRP | IPC.CREAT, { size: SHMSIZE }), segment.attach(), buf.readString(), " +
      "buf.detach().",
    ],
    tests: {
      file: "tests/sysv_shm_test.ts",
      filter: "^shmproc2|^shmproc1 \\+ shmproc2|^SIGKILL shmproc1 while shmproc2 waits",
    },
    diagnoses: [
      {
        when: "ENOENT",
        say: "shmget found no segment: shmproc2's shmget has IPC_CREAT too " +
          "(S_IRUSR|S_IWUSR|S_IRGRP|S_IWGRP|IPC_CREAT, as in shmproc2.c), so that it works " +
          "when it is started first.",
      },
      {
        when: "EEXIST",
        say: "shmget failed because the segment exists: no IPC_EXCL. shmproc2 must find the " +
          "segment shmproc1 made, with the same key and flags as shmproc1.",
      },
      {
        when: "not shmproc2's to remove|the key still names it|left to shmproc1",
        say: "shmproc2 removed a segment shmproc1 still uses: shmproc2.c never calls " +
          "shmctl(IPC_RMID). Detach only (shmdt(buf), here buf.detach()); shmproc1 removes it.",
      },
    ],
    blanks: [
      {
        find: "  const segment = Segment.get(key, S.IRUSR | S.IWUSR | S.IRGRP | S.IWGRP | " +
          "IPC.CREAT, {\n    size: SHMSIZE,\n  }).keep();\n",
        todo: "  const segment = todo<ReturnType<typeof Segment.get>>(\n" +
          '    "find or create the segment of key, SHMSIZE (4096) bytes, mode 0660 " +\n' +
          '      "(C: shmget(SHMKEY, 4096, S_IRUSR|S_IWUSR|S_IRGRP|S_IWGRP|IPC_CREAT))",\n' +
          "  ).keep();\n",
      },
      {
        find: "  using buf = segment.attach();\n",
        todo: "  using buf = todo<ReturnType<typeof segment.attach>>(\n" +
          '    "attach the segment to this process (C: buf = shmat(shmid, NULL, 0))",\n' +
          "  );\n",
      },
      {
        find: "  console.log(buf.readString());\n",
        todo:
          '  console.log(todo<string>("the string shmproc1 left in the segment (C: puts(buf))"));\n',
      },
      {
        find: "  // shmdt(buf);\n  buf.detach();\n",
        todo: "  // shmdt(buf);\n" +
          '  todo("detach the segment from this process (C: shmdt(buf))");\n',
      },
    ],
  },
  {
    name: "write-shm",
    example: "examples/sysv-shm/write-shm.ts",
    origin: "seed 004, write_shm.c",
    goal: "Create the segment, write the message into it, detach, and leave the segment " +
      "behind for read-shm.",
    hints: [
      "The writer does not wait for a reader: it writes, detaches and exits. The segment " +
      "must stay in the kernel after the exit, with the message in it.",
      "Segment.get with IPC_CREAT may create the segment, and a handle declared with `using` " +
      "removes a segment it created when the program ends, unless told to keep it: the C " +
      "simply never calls IPC_RMID.",
      "The calls, in the C's order: shmget(key, SHM_SIZE, 0660 | IPC_CREAT), shmat(shmid, " +
      'NULL, 0), sprintf(data, "message from pid %d: %s", ...), shmdt(data). Here: ' +
      "Segment.get(key, IPC.CREAT | 0o660, { size: SHMSIZE }), segment.attach(), " +
      "data.writeString(`message from pid ${getpid()}: ${text}`), data.detach(), " +
      "segment.keep().",
    ],
    tests: { file: "tests/sysv_shm_test.ts", filter: "^write-shm|shmproc1 and write-shm fail" },
    diagnoses: [
      {
        when: "no shared memory segment with key|reading 'id'",
        say: "The segment was gone when write-shm ended, so read-shm found nothing: the C " +
          "never calls shmctl(IPC_RMID) here. After shmdt, keep the segment (segment.keep()): " +
          "the `using` handle removes a segment it created otherwise.",
      },
      {
        when: "does not hold a write-shm message",
        say: "The segment holds no message read-shm can parse: write " +
          '"message from pid <pid>: <text>" into it (C: sprintf(data, "message from pid %d: ' +
          '%s", getpid(), text)), before shmdt.',
      },
    ],
    blanks: [
      {
        find: "  using segment = Segment.get(key, IPC.CREAT | 0o660, { size: SHMSIZE });\n",
        todo: "  using segment = todo<ReturnType<typeof Segment.get>>(\n" +
          '    "find or create the segment of key, SHMSIZE (4096) bytes, mode 0660 " +\n' +
          '      "(C: shmid = shmget(key, SHM_SIZE, 0660 | IPC_CREAT))",\n' +
          "  );\n",
      },
      {
        find: "  using data = segment.attach();\n",
        todo: "  using data = todo<ReturnType<typeof segment.attach>>(\n" +
          '    "attach the segment to this process (C: data = shmat(shmid, NULL, 0))",\n' +
          "  );\n",
      },
      {
        find: "  data.writeString(`message from pid ${getpid()}: ${text}`);\n",
        todo: "  todo(\n" +
          "    'write \"message from pid <pid>: <text>\" into the segment ' +\n" +
          "      '(C: sprintf(data, \"message from pid %d: %s\", getpid(), text))',\n" +
          "  );\n",
      },
      {
        find: "  data.detach();\n",
        todo: '  todo("detach the segment from this process (C: shmdt(data))");\n',
      },
      {
        find: "  segment.keep();\n",
        todo:
          '  todo("keep the segment after this exit: no IPC_RMID (C: shmdt alone leaves it)");\n',
      },
    ],
  },
  {
    name: "read-shm",
    example: "examples/sysv-shm/read-shm.ts",
    origin: "seed 004, read_shm.c",
    goal: "Find write-shm's segment by its key without creating one, attach it read-only, " +
      "read the message, detach, and with --remove remove the segment.",
    hints: [
      "read-shm must never create a segment: its shmget has no IPC_CREAT, so it fails with " +
      "ENOENT when write-shm has not run (the catch below turns that into a message).",
      "The reader only reads: attach with SHM_RDONLY. The segment stays after the detach " +
      "unless --remove asks for IPC_RMID.",
      "The calls, in the C's order: shmget(key, SHM_SIZE, 0440), shmat(shmid, NULL, " +
      "SHM_RDONLY), sscanf(data, ...), shmdt(data), and for --remove shmctl(shmid, IPC_RMID, " +
      "NULL). Here: Segment.get(key, 0o440, { size: SHMSIZE }), segment.attach({ readOnly: " +
      "true }), data.readString(), data.detach(), segment.remove().",
    ],
    tests: { file: "tests/sysv_shm_test.ts", filter: "read-shm|^IPC_TRACE: the ports" },
    diagnoses: [
      {
        when: 'read-shm never creates|does not hold a write-shm message \\(it holds ""\\)',
        say: "read-shm made a new, empty segment: its shmget has no IPC_CREAT (C: shmget(key, " +
          "SHM_SIZE, 0440)), so that it fails with ENOENT when there is no segment.",
      },
      {
        when: "left behind",
        say: "--remove left the segment in the kernel: after shmdt(data), remove it " +
          "(C: shmctl(shmid, IPC_RMID, NULL), here segment.remove()).",
      },
      {
        when: "shmctl IPC_RMID",
        say: "The trace shows the shm calls in another order or number than the C's: " +
          "shmget, shmat, shmdt, and only with --remove shmctl(IPC_RMID), after the shmdt.",
      },
    ],
    blanks: [
      {
        find: "    segment = Segment.get(key, 0o440, { size: SHMSIZE });\n",
        todo: "    segment = todo<Segment>(\n" +
          '      "find the existing segment of key, SHMSIZE bytes, mode 0440, no IPC_CREAT " +\n' +
          '        "(C: shmid = shmget(key, SHM_SIZE, 0440))",\n' +
          "    );\n",
      },
      {
        find: "  using data = segment.attach({ readOnly: true });\n",
        todo: "  using data = todo<ReturnType<typeof segment.attach>>(\n" +
          '    "attach the segment read-only (C: data = shmat(shmid, NULL, SHM_RDONLY))",\n' +
          "  );\n",
      },
      {
        find: "  const raw = data.readString();\n",
        todo: "  const raw = todo<string>(\n" +
          '    "the string write-shm left in the segment (C: the data sscanf parses)",\n' +
          "  );\n",
      },
      {
        find: "  // shmdt(data);\n  data.detach();\n",
        todo: "  // shmdt(data);\n" +
          '  todo("detach the segment from this process (C: shmdt(data))");\n',
      },
      {
        find: "    if (segment.remove()) {\n",
        todo: '    if (todo<boolean>("remove the segment (C: shmctl(shmid, IPC_RMID, NULL))")) {\n',
      },
    ],
  },
];
