/** Practice mode: the exercises of examples/semaphores (see exercises/catalogue.ts). @module */
import type { Exercise } from "../exercise.ts";

export const SEMAPHORES: Exercise[] = [
  {
    name: "sem-pong",
    example: "examples/semaphores/sem-pong.ts",
    origin: "seed 003 names the semaphore; the answering half of sem-ping",
    goal: "Join sem-ping's segment and semaphore (SysV set or POSIX named), and take the lock " +
      "before each read and write of the segment and give it back after.",
    hints: [
      "sem-pong joins what sem-ping made: it opens the segment and the lock by key (or by " +
      "name), never with IPC_CREAT or O_CREAT; removing them is sem-ping's job.",
      "acquire() is P (take the lock, waiting while it is 0), release() is V (give it back); " +
      "every P needs its V, or the next P, sem-ping's or your own, waits for ever. The waits " +
      "are async (signal-friendly slices): await them, and pass { check } so that a dead " +
      "sem-ping is noticed.",
      "The calls, in the C's order: shmget(KEY, SEGMENT_SIZE, 0); semget(KEY, 1, 0) or " +
      "sem_open(NAME, 0); each P semop(semid, {0, -1, SEM_UNDO}, 1) or sem_wait(sem), each V " +
      "semop(semid, {0, +1, SEM_UNDO}, 1) or sem_post(sem). Here: Segment.open(key, " +
      "{ size: SEGMENT_SIZE }), SemaphoreSet.open(key, { nsems: 1 }), " +
      "NamedSemaphore.open(semName), await set.lock(0, { check }), await named.wait({ check }), " +
      "set.unlock(0), named.post().",
    ],
    tests: {
      file: "tests/semaphores_test.ts",
      filter: "^(sem-ping/sem-pong with the SysV lock|sem-ping --posix: |sem-ping --no-lock: |" +
        "sem-pong without sem-ping|SIGKILL of sem-ping mid-exchange)",
    },
    diagnoses: [
      {
        when: "did not end|timed out",
        say: "A lock was taken and never given back: after each P (C: semop with sem_op -1, or " +
          "sem_wait) comes its V (C: semop with sem_op +1, or sem_post) once the segment is read " +
          "or written; without it the next P, sem-ping's or sem-pong's own, waits for ever.",
      },
      {
        when: "EEXIST",
        say: "sem-pong created instead of opening: sem-ping made the segment and the semaphore, " +
          "sem-pong joins them without IPC_CREAT / O_CREAT (C: shmget(KEY, SEGMENT_SIZE, 0), " +
          "semget(KEY, 1, 0), sem_open(NAME, 0)).",
      },
      {
        when: "torn (message|reply)|digest mismatch",
        say: "A message was read while the other side was still writing it: the lock does not " +
          "guard the segment. P must come before the read (and before the reply is written), V " +
          "after: semop(semid, {0, -1, SEM_UNDO}) / sem_wait(sem) in acquire(), " +
          "semop(semid, {0, +1, SEM_UNDO}) / sem_post(sem) in release().",
      },
    ],
    blanks: [
      {
        find: "    segment = Segment.open(key, { size: SEGMENT_SIZE });\n",
        todo: "    segment = todo<Segment>(\n" +
          '      "open sem-ping\'s segment of KEY, no IPC_CREAT (C: shmid = shmget(KEY, SEGMENT_SIZE, 0))",\n' +
          "    );\n",
      },
      {
        find: "      set = SemaphoreSet.open(key, { nsems: 1 });\n",
        todo: "      set = todo<SemaphoreSet>(\n" +
          '        "open sem-ping\'s semaphore set of KEY, no IPC_CREAT (C: semid = semget(KEY, 1, 0))",\n' +
          "      );\n",
      },
      {
        find: "      named = NamedSemaphore.open(semName);\n",
        todo: "      named = todo<NamedSemaphore>(\n" +
          '        "open the POSIX semaphore semName, no O_CREAT (C: sem = sem_open(NAME, 0))",\n' +
          "      );\n",
      },
      {
        find: "    if (set !== undefined) await set.lock(0, { check });\n",
        todo: "    if (set !== undefined) {\n" +
          "      await todo<Promise<boolean>>(\n" +
          '        "P: take semaphore 0, wait while it is 0 (C: semop(semid, &p, 1))",\n' +
          "      );\n" +
          "    }\n",
      },
      {
        find: "    if (named !== undefined) await named.wait({ check });\n",
        todo: "    if (named !== undefined) {\n" +
          "      await todo<Promise<boolean>>(\n" +
          '        "P: take the semaphore, wait while it is 0 (C: sem_wait(sem))",\n' +
          "      );\n" +
          "    }\n",
      },
      {
        find: "    if (set !== undefined) set.unlock(0);\n",
        todo:
          '    if (set !== undefined) todo("V: give semaphore 0 back (C: semop(semid, &v, 1))");\n',
      },
      {
        find: "    if (named !== undefined) named.post();\n",
        todo:
          '    if (named !== undefined) todo("V: give the semaphore back (C: sem_post(sem))");\n',
      },
    ],
  },
];
