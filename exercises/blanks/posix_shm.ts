/** Practice mode: the exercises of examples/posix-shm (see exercises/catalogue.ts). @module */
import type { Exercise } from "../exercise.ts";

export const POSIX_SHM: Exercise[] = [
  {
    name: "posix-shm-writer",
    example: "examples/posix-shm/writer.ts",
    origin: "shmproc1.c (seed 000) done with POSIX shm, seed 003",
    goal: "Create the POSIX shared memory object by name, give it its size, map it, write the " +
      "string into it, then unmap it and remove its name.",
    hints: [
      "A POSIX object is a file in /dev/shm: shm_open gives a descriptor, and a new object has " +
      "size 0 until ftruncate gives it one; only then can mmap map its 4096 bytes.",
      "shmproc1 removes its segment with IPC_RMID at the end; here shm_unlink(name) removes the " +
      "object's name, or /dev/shm/ipc-lab-shm stays after the writer ends.",
      "The calls, in the C's order: shm_open(name, O_RDWR|O_CREAT, 0660), ftruncate(fd, 4096), " +
      "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0), munmap(buf, 4096), " +
      "shm_unlink(name). Here: SharedMemoryObject.open(name, { flags: O.RDWR | O.CREAT, " +
      "mode: 0o660 }), ftruncate(shm.fd, SHM_SIZE), mmap(SHM_SIZE, PROT.READ | PROT.WRITE, " +
      "MAP.SHARED, shm.fd, 0, { subject: name }), munmap(buf), shm.remove().",
    ],
    tests: { file: "tests/posix_shm_test.ts", filter: "^posix-shm(:|-writer)" },
    diagnoses: [
      {
        when: "mmap /\\S+: the file is 0 bytes",
        say: "The object has size 0: shm_open with O_CREAT makes an empty object, and mapping it " +
          "would give SIGBUS at the first touch. Give it its size before mmap " +
          "(C: ftruncate(fd, 4096)).",
      },
      {
        when: "EACCES",
        say: "A mapping with PROT_WRITE needs a descriptor opened for writing: open the object " +
          "O_RDWR (C: shm_open(name, O_RDWR|O_CREAT, 0660)) and map it " +
          "PROT_READ|PROT_WRITE, MAP_SHARED.",
      },
      {
        when: "\\+ ''\\s*\\n- 'posix-shm-writer: note: \\S+ was already removed|left behind",
        say: "The writer never removes the object's name itself at the end: the test removed it " +
          "from outside and expected the final shm_unlink to find it gone and say so (only the " +
          "safety net of `using` removed it on the way out). After munmap, remove the name " +
          "(C: shm_unlink(name), where shmproc1 does shmctl(shmid, IPC_RMID, NULL)): a POSIX " +
          "object outlives its creator until then.",
      },
    ],
    blanks: [
      {
        find:
          "  using shm = SharedMemoryObject.open(name, { flags: O.RDWR | O.CREAT, mode: 0o660 });\n",
        todo: "  using shm = todo<SharedMemoryObject>(\n" +
          '    "open the object NAME for reading and writing, creating it with mode 0660 (C: shm_open(name, O_RDWR|O_CREAT, 0660))",\n' +
          "  );\n",
      },
      {
        find: "  ftruncate(shm.fd, SHM_SIZE);\n",
        todo: '  todo("give the new object its size, 4096 bytes (C: ftruncate(fd, 4096))");\n',
      },
      {
        find: "  using buf = mmap(SHM_SIZE, PROT.READ | PROT.WRITE, MAP.SHARED, shm.fd, 0, " +
          "{ subject: name });\n",
        todo: "  using buf = todo<ReturnType<typeof mmap>>(\n" +
          '    "map its 4096 bytes, readable and writable, shared (C: mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0))",\n' +
          "  );\n",
      },
      {
        find: "  // shmdt(buf)  becomes  munmap(buf, 4096);\n  munmap(buf);\n",
        todo: "  // shmdt(buf)  becomes  munmap(buf, 4096);\n" +
          '  todo("unmap the memory (C: munmap(buf, 4096))");\n',
      },
      {
        find: "  // shmctl(shmid, IPC_RMID, NULL)  becomes  shm_unlink(name);\n" +
          "  if (!shm.remove()) alreadyRemoved();\n",
        todo: "  // shmctl(shmid, IPC_RMID, NULL)  becomes  shm_unlink(name);\n" +
          '  if (!todo<boolean>("remove the object\'s name (C: shm_unlink(name))")) alreadyRemoved();\n',
      },
    ],
  },
  {
    name: "posix-shm-reader",
    example: "examples/posix-shm/reader.ts",
    origin: "shmproc2.c (seed 000) done with POSIX shm",
    goal: "Open the writer's object by name without creating it, map it read-only, print the " +
      "string in it after ENTER, then unmap it.",
    hints: [
      "The reader only reads: it opens the object O_RDONLY (no O_CREAT: run before the writer it " +
      "must fail, not make an empty object) and maps it PROT_READ.",
      "The memory is shared, not copied: read the string when ENTER is pressed, from the " +
      "mapping, up to its first NUL byte (cStringAt).",
      "The calls, in the C's order: shm_open(name, O_RDONLY, 0), mmap(NULL, 4096, PROT_READ, " +
      "MAP_SHARED, fd, 0), puts(buf), munmap(buf, 4096). Here: SharedMemoryObject.open(name, " +
      "{ flags: O.RDONLY }), mmap(SHM_SIZE, PROT.READ, MAP.SHARED, shm.fd, 0, { subject: name }), " +
      "console.log(cStringAt(buf.read())), munmap(buf).",
    ],
    tests: { file: "tests/posix_shm_test.ts", filter: "^posix-shm(:|-reader)" },
    diagnoses: [
      {
        when: "mmap /\\S+: the file is 0 bytes|left behind",
        say: "The reader made an object of its own: open the writer's object without O_CREAT " +
          "(C: shm_open(name, O_RDONLY, 0)), so that without a writer it fails with ENOENT " +
          "instead of creating an empty object that nobody removes.",
      },
      {
        when: "EACCES",
        say: "The object is opened O_RDONLY, so it can only be mapped PROT_READ: " +
          "mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0).",
      },
    ],
    blanks: [
      {
        find: "    opened = SharedMemoryObject.open(name, { flags: O.RDONLY });\n",
        todo: "    opened = todo<SharedMemoryObject>(\n" +
          '      "open the writer\'s object NAME read-only, without creating it (C: shm_open(name, O_RDONLY, 0))",\n' +
          "    );\n",
      },
      {
        find:
          "  using buf = mmap(SHM_SIZE, PROT.READ, MAP.SHARED, shm.fd, 0, { subject: name });\n",
        todo: "  using buf = todo<ReturnType<typeof mmap>>(\n" +
          '    "map its 4096 bytes read-only, shared (C: mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0))",\n' +
          "  );\n",
      },
      {
        find: "  console.log(cStringAt(buf.read()));\n",
        todo: "  console.log(\n" +
          '    todo<string>("the string in the shared memory, up to its NUL byte (C: puts(buf))"),\n' +
          "  );\n",
      },
      {
        find: "  // shmdt(buf)  becomes  munmap(buf, 4096);\n  munmap(buf);\n",
        todo: "  // shmdt(buf)  becomes  munmap(buf, 4096);\n" +
          '  todo("unmap the memory (C: munmap(buf, 4096))");\n',
      },
    ],
  },
];
