// deno-lint-ignore-file no-unused-vars
// EXERCISE 11: posix-shm-reader (shmproc2.c (seed 000) done with POSIX shm)
// Open the writer's object by name without creating it, map it read-only, print the string in it after ENTER, then unmap it.
// Replace each todo(...) with the call it describes. Check: `deno task exercise check posix-shm-reader`; a hint: `deno task exercise hint posix-shm-reader`.
import { todo } from "../../exercises/todo.ts";
/**
 * posix-shm reader: opens the POSIX shared memory object the writer made,
 * waits for ENTER, then prints the string in it (`This is a test`).
 *
 * Ports: the POSIX counterpart of shmproc2.c (seed 000, "Paylaşılan Bellek
 * Alanları"); see examples/posix-shm/writer.ts for the SysV-versus-POSIX
 * comparison and the call-by-call mapping. Here:
 *
 *     SysV (shmproc2)                           POSIX (this program)
 *     shmget(0x12345678, 4096, 0660|IPC_CREAT)  shm_open("/ipc-lab-shm", O_RDONLY, 0)
 *     shmat(shmid, NULL, 0)                     mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0)
 *     puts(buf)                                 print the bytes up to the first NUL
 *     shmdt(buf)                                munmap(buf, 4096)
 *
 * Run after the writer is waiting (see writer.ts): `deno task posix-shm-reader`,
 * press ENTER. The string is read when ENTER is pressed, not at start, as
 * in shmproc2: the memory is shared, not copied.
 *
 * Where it departs from shmproc2 and why:
 * - It does not create the object (no O_CREAT; shmproc2 passed IPC_CREAT
 *   and, run first, made an empty segment and printed an empty line that
 *   nobody removed). Run before the writer it says so and exits 1:
 *   `posix-shm-reader: shm_open /ipc-lab-shm: ENOENT (No such file or
 *   directory): start posix-shm-writer first`.
 * - It maps read-only (`O_RDONLY`, `PROT_READ`): it only reads.
 * - An object smaller than 4096 bytes (a writer that has not reached its
 *   `ftruncate` yet) is a clear error instead of a SIGBUS crash when the
 *   page is touched.
 * - If the writer is killed (SIGKILL) while the reader waits, the reader
 *   still prints the text: the object and its contents outlive the writer
 *   (only the writer's cleanup, which SIGKILL prevents, removes it).
 * - Ctrl+C exits with 130, SIGTERM 143; the reader created nothing, so it
 *   removes nothing.
 *
 * @module
 */
import {
  cStringAt,
  exitOnSignals,
  LibcError,
  LineReader,
  MAP,
  mmap,
  munmap,
  O,
  PROT,
  runMain,
  setTraceRole,
  SharedMemoryObject,
} from "../../lib/libc.ts";
import { SHM_SIZE, takeName, usageOf } from "../../examples/posix-shm/writer.ts";

async function main(args: string[]): Promise<number> {
  setTraceRole("reader");
  const name = takeName(args, "posix-shm-reader");
  exitOnSignals();

  // shmid = shmget(SHMKEY, 4096, ...)  becomes  fd = shm_open(name, O_RDONLY, 0);
  let opened: SharedMemoryObject;
  try {
    opened = todo<SharedMemoryObject>(
      "open the writer's object NAME read-only, without creating it (C: shm_open(name, O_RDONLY, 0))",
    );
  } catch (e) {
    if (e instanceof LibcError && e.code === "ENOENT") {
      throw new Error(`${e.message}: start posix-shm-writer first`);
    }
    throw e;
  }
  using shm = opened;
  // buf = (char *) shmat(shmid, NULL, 0)  becomes
  //   buf = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
  using buf = todo<ReturnType<typeof mmap>>(
    "map its 4096 bytes read-only, shared (C: mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0))",
  );
  // close(fd);
  shm.close();

  // printf("Press ENTER to continue...\n"); getchar();
  console.log("Press ENTER to continue...");
  await new LineReader(0).readLine();
  // puts(buf);
  console.log(
    todo<string>("the string in the shared memory, up to its NUL byte (C: puts(buf))"),
  );
  // shmdt(buf)  becomes  munmap(buf, 4096);
  todo("unmap the memory (C: munmap(buf, 4096))");
  return 0;
}

if (import.meta.main) {
  await runMain("posix-shm-reader", () => main([...Deno.args]), {
    usage: usageOf("posix-shm-reader"),
  });
}
