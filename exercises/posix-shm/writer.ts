// deno-lint-ignore-file no-unused-vars
// EXERCISE 10: posix-shm-writer (shmproc1.c (seed 000) done with POSIX shm, seed 003)
// Create the POSIX shared memory object by name, give it its size, map it, write the string into it, then unmap it and remove its name.
// Replace each todo(...) with the call it describes. Check: `deno task exercise check posix-shm-writer`; a hint: `deno task exercise hint posix-shm-writer`.
import { todo } from "../../exercises/todo.ts";
/**
 * posix-shm writer: puts `This is a test` into a POSIX shared memory
 * object, waits for ENTER, then removes the object.
 *
 * Ports: the POSIX counterpart of shmproc1.c (seed 000, "Paylaşılan Bellek
 * Alanları"); seed 003 names POSIX shared memory and `/dev/shm` beside
 * SysV. The reader is examples/posix-shm/reader.ts (shmproc2's
 * counterpart). Same texts and flow as shmproc1; only the calls change:
 *
 *     SysV (shmproc1)                         POSIX (this program)
 *     shmget(0x12345678, 4096, 0660|IPC_CREAT) shm_open("/ipc-lab-shm", O_RDWR|O_CREAT, 0660)
 *                                              ftruncate(fd, 4096)
 *     shmat(shmid, NULL, 0)                   mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)
 *     shmdt(buf)                              munmap(buf, 4096)
 *     shmctl(shmid, IPC_RMID, NULL)           shm_unlink("/ipc-lab-shm")
 *
 * SysV versus POSIX shared memory:
 * - Name, not key: a POSIX object is called by a name like `/ipc-lab-shm`
 *   that the programs agree on, instead of a number (`0x12345678`, or
 *   `ftok(path, id)`) that can collide with another program's key.
 * - It is a file: on Linux it lives in the RAM file system `/dev/shm`
 *   (`ls -l /dev/shm` shows `ipc-lab-shm` with owner, mode and size; `rm`
 *   removes it); `ipcs` does not list it. `shm_open` gives a file
 *   descriptor, so the usual file calls apply: `ftruncate` sets its size (a
 *   new object has size 0, where `shmget` takes the size), `fstat` reads it,
 *   `fchmod` changes permissions.
 * - It is used through `mmap(MAP_SHARED)`, like a shared file mapping,
 *   instead of `shmat`; the descriptor can be closed right after `mmap`.
 * - Lifetime: like a SysV segment it outlives its creator until removed
 *   (`shm_unlink` / `IPC_RMID`) or the machine reboots. Unlinking removes
 *   the name at once; processes that still map it keep using the memory,
 *   which is freed with the last mapping (SysV: the key goes private and
 *   the segment shows as `dest` until the last `shmdt`).
 *
 * Run in two terminals:
 *
 *     terminal 1: deno task posix-shm-writer   (prints the prompt and waits)
 *     terminal 2: deno task posix-shm-reader   (press ENTER: This is a test)
 *     terminal 1: press ENTER                  (the object is removed)
 *
 * While the writer waits, `ls -l /dev/shm` shows the object (4096 bytes).
 * `--name /other` chooses another name (both programs take it);
 * `IPC_TRACE=1` shows the calls.
 *
 * Where it departs from shmproc1 and why:
 * - The object is removed on Ctrl+C (exit 130) and SIGTERM (143) too; the C
 *   program, interrupted while it waits, leaves its segment behind. Only
 *   SIGKILL (or a crash) can leave `/dev/shm/ipc-lab-shm` behind; a later
 *   writer run then reuses it (O_CREAT without O_EXCL, like IPC_CREAT) and
 *   removes it at the end, or `rm /dev/shm/ipc-lab-shm` does.
 * - The descriptor is closed after `mmap` (the mapping keeps the object).
 * - An object removed from outside while the writer waits (`rm
 *   /dev/shm/ipc-lab-shm`: the reader never removes it) makes the final
 *   `shm_unlink` fail with ENOENT: a note on stderr says so, exit 0 (on
 *   Ctrl+C: still 130); what the unlink was for is done. The writer's own
 *   mapping works on meanwhile: the memory goes with the last `munmap`.
 * - `mmap`'s failure value is `MAP_FAILED`, checked as such (shmproc1
 *   tested `shmat`'s result with `< 0`, which never catches `(void *) -1`).
 * - Errors name the object and the errno:
 *   `posix-shm-writer: shm_open /x: EACCES (Permission denied)`.
 *
 * @module
 */
import {
  checkShmName,
  exitOnSignals,
  ftruncate,
  LineReader,
  MAP,
  mmap,
  munmap,
  O,
  onCleanup,
  PROT,
  runMain,
  setTraceRole,
  SharedMemoryObject,
  takeOption,
  UsageError,
} from "../../lib/libc.ts";

/** The name both programs use unless told otherwise (shmproc's SHMKEY). */
export const SHM_NAME = "/ipc-lab-shm";
/** The size shmproc1 asked `shmget` for. */
export const SHM_SIZE = 4096;

/** The usage line of the writer or the reader (`program`). */
export function usageOf(program: string): string {
  return `usage: ${program} [--name /name]`;
}

/**
 * Take `--name /name` out of `args` (default {@link SHM_NAME}) and check
 * it; a bad name or a leftover argument is a usage error of `program`.
 * The reader uses it too.
 */
export function takeName(args: string[], program: string): string {
  const name = takeOption(args, "name") ?? SHM_NAME;
  if (args.length > 0) throw new UsageError(usageOf(program));
  try {
    checkShmName(name);
  } catch (e) {
    throw new UsageError(`${program}: ${(e as Error).message}`);
  }
  return name;
}

async function main(args: string[]): Promise<number> {
  setTraceRole("writer");
  const name = takeName(args, "posix-shm-writer");
  exitOnSignals();

  // shmid = shmget(SHMKEY, 4096, S_IRUSR|S_IWUSR|S_IRGRP|S_IWGRP|IPC_CREAT)
  //   becomes: fd = shm_open(name, O_RDWR|O_CREAT, 0660); ftruncate(fd, 4096);
  using shm = todo<SharedMemoryObject>(
    "open the object NAME for reading and writing, creating it with mode 0660 (C: shm_open(name, O_RDWR|O_CREAT, 0660))",
  );
  // The writer removes the object at the end, whoever created it (shmproc1
  // does IPC_RMID so): own() makes an error on the way remove it too
  // (dispose); Ctrl+C / SIGTERM remove it here.
  shm.own();
  // An object someone else removed meanwhile (`rm /dev/shm/...`) is a note, not an error.
  const alreadyRemoved = () =>
    console.error(
      `posix-shm-writer: note: ${name} was already removed from outside ` +
        `(rm /dev/shm${name}?): nothing is left`,
    );
  using _removeOnSignal = onCleanup(`shm_unlink ${name}`, () => {
    if (!shm.remove()) alreadyRemoved();
  });
  todo("give the new object its size, 4096 bytes (C: ftruncate(fd, 4096))");
  // buf = (char *) shmat(shmid, NULL, 0)  becomes
  //   buf = mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0);
  using buf = todo<ReturnType<typeof mmap>>(
    "map its 4096 bytes, readable and writable, shared (C: mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0))",
  );
  // close(fd);  -- the mapping keeps the object; the descriptor is not needed
  shm.close();

  // strcpy(buf, "This is a test");
  buf.bytes.set(new TextEncoder().encode("This is a test\0"));
  // printf("press ENTER to key to continue...\n"); getchar();
  console.log("press ENTER to key to continue...");
  await new LineReader(0).readLine(); // a line, or EOF: both continue, like getchar()

  // shmdt(buf)  becomes  munmap(buf, 4096);
  todo("unmap the memory (C: munmap(buf, 4096))");
  // shmctl(shmid, IPC_RMID, NULL)  becomes  shm_unlink(name);
  if (!todo<boolean>("remove the object's name (C: shm_unlink(name))")) alreadyRemoved();
  return 0;
}

if (import.meta.main) {
  await runMain("posix-shm-writer", () => main([...Deno.args]), {
    usage: usageOf("posix-shm-writer"),
  });
}
