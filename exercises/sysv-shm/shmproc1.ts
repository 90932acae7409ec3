// deno-lint-ignore-file no-unused-vars
// EXERCISE 5: shmproc1 (seed 000, shmproc1.c)
// Create and attach the segment, copy the string into it, and after ENTER detach it and remove it.
// Replace each todo(...) with the call it describes. Check: `deno task exercise check shmproc1`; a hint: `deno task exercise hint shmproc1`.
import { todo } from "../../exercises/todo.ts";
/**
 * shmproc1: the writing side of a System V shared memory pair.
 *
 * Ports: `shmproc1.c - Yazma yapan uygulama` ("the program that writes")
 * of seed 000, section "Paylaşılan Bellek Alanları" (shared memory areas).
 *
 * Demonstrates: `shmget` finds or creates the segment of key 0x12345678
 * (4096 bytes, mode 0660), `shmat` maps it into this process, `strcpy`
 * puts `This is a test` into it, and the program waits. Meanwhile
 * `shmproc2` maps the *same pages* and, when you press ENTER there, prints
 * the string: nothing was sent, both processes simply see the same memory.
 * After ENTER here, shmproc1 detaches (`shmdt`) and removes the segment
 * (`IPC_RMID`), in the C's order.
 *
 * Run, in two terminals:
 *   1. `deno task shmproc1`   prints `press ENTER to key to continue...`
 *   2. `deno task shmproc2`   prints `Press ENTER to continue...`; press
 *      ENTER: it prints `This is a test`
 *   3. press ENTER in the first terminal: the segment is removed.
 * `deno task ipcs -m` between steps shows the segment (nattch 1, then 2).
 * `--key KEY` picks another key for both programs (tests do).
 *
 * SysV persistence: a segment is a kernel object, not part of a process.
 * It lives until IPC_RMID or reboot, even with no process attached (so if
 * shmproc1 were killed with SIGKILL, the segment and its text would stay:
 * `deno task ipcrm -M 0x12345678` removes it). After IPC_RMID a segment
 * still attached somewhere lives on, marked `dest` in `ipcs` with its key
 * reset to 0, and is freed at the last detach.
 *
 * Where it departs from the C and why:
 * - The shmat bug: the C tests `(buf = (char *) shmat(...)) < 0`. shmat
 *   fails with `(void *) -1`, and comparing a pointer with 0 is never true
 *   for it in practice (the compiler may even drop the test), so a failed
 *   attach went on to `strcpy` into address 0xffffffffffffffff: a crash.
 *   The port checks for the pointer value -1 (lib/sysv_shm.ts shmAttach).
 * - Ctrl+C / SIGTERM while waiting for ENTER removes the segment and exits
 *   130 / 143 (the C would leave it behind forever). The wait polls stdin
 *   in short slices so the signal is handled at once.
 * - End of file on stdin instead of ENTER (input from /dev/null, Ctrl+D)
 *   continues, like `getchar()` returning EOF in the C.
 * - The calls are the C's, in the C's order: shmget, shmat, shmdt,
 *   shmctl(IPC_RMID), and no other (`IPC_TRACE=1` shows them; the wait
 *   for ENTER adds the poll/read of stdin described above). The original
 *   ignored shmdt's result; the port checks it.
 * - IPC_RMID after shmdt fails with EINVAL when someone else removed the
 *   segment while we waited (`ipcrm -m`: it was `dest`, and our shmdt, the
 *   last, freed it). The C then exits 1 (`shmctl: Invalid argument`); the
 *   port says on stderr that the segment was already removed by someone
 *   else and exits 0: what IPC_RMID was for is done. shmproc2 (the C, and
 *   the port since issue 12) never removes a segment someone is attached
 *   to, so the pair itself never gets there. Any other failure of
 *   IPC_RMID (EPERM: not the owner) is an error, exit 1.
 * - Ctrl+C / SIGTERM: the cleanup is IPC_RMID alone (the kernel detaches
 *   a process that exits), so its order there is not the C's.
 * - The string is copied with a bounds check; the C `strcpy` had none.
 *
 * Calls that differ from the C (checked by `deno task compare`): none.
 * (The poll and read of stdin are terminal I/O, which compare leaves out.)
 *
 * @module
 */
import {
  exitOnSignals,
  formatKey,
  IPC,
  LineReader,
  onCleanup,
  runMain,
  S,
  Segment,
  setTraceRole,
  takeKey,
} from "../../lib/libc.ts";
import { noMoreArguments, SHMKEY, SHMSIZE } from "../../examples/sysv-shm/options.ts";

const USAGE = "usage: shmproc1 [--key KEY]";

async function main(args: string[]): Promise<number> {
  setTraceRole("shmproc1");
  exitOnSignals();
  const key = takeKey(args, SHMKEY, USAGE);
  noMoreArguments(args, USAGE);

  // if ((shmid = shmget(SHMKEY, 4096, S_IRUSR|S_IWUSR|S_IRGRP|S_IWGRP|IPC_CREAT)) < 0)
  //     exitsys("shmget");
  using segment = todo<ReturnType<typeof Segment.get>>(
    "find or create the segment of key, SHMSIZE (4096) bytes, mode 0660 " +
      "(C: shmget(SHMKEY, 4096, S_IRUSR|S_IWUSR|S_IRGRP|S_IWGRP|IPC_CREAT))",
  );
  // shmproc1 removes the segment at the end, whoever created it: so does
  // the C. own(): an error on the way removes it too (dispose), with no
  // need to ask the kernel who created it; Ctrl+C / SIGTERM remove it here:
  segment.own();
  using _removeOnSignal = onCleanup(`IPC_RMID shmid ${segment.id}`, () => segment.remove());

  // if ((buf = (char *) shmat(shmid, NULL, 0)) < 0)   <- never true: see header
  //     exitsys("shmat");
  using buf = todo<ReturnType<typeof segment.attach>>(
    "attach the segment to this process (C: buf = shmat(shmid, NULL, 0))",
  );

  // strcpy(buf, "This is a test");
  todo('copy "This is a test" into the segment (C: strcpy(buf, "This is a test"))');
  // printf("press ENTER to key to continue...\n");
  console.log("press ENTER to key to continue...");
  // getchar();  -- a line, or EOF: both continue
  await new LineReader(0).readLine();

  // shmdt(buf);
  todo("detach the segment from this process (C: shmdt(buf))");
  // if (shmctl(shmid, IPC_RMID, NULL) < 0)
  //     exitsys("shmctl");        (other errors: a LibcError, runMain prints it, exit 1)
  if (!todo<boolean>("remove the segment (C: shmctl(shmid, IPC_RMID, NULL))")) {
    // false: IPC_RMID found no such segment (EINVAL): someone removed it
    // while we waited (ipcrm), and our shmdt, the last, freed it. Done.
    console.error(
      `shmproc1: note: segment ${formatKey(key)} (shmid ${segment.id}) was already removed ` +
        `by someone else (shmctl IPC_RMID: EINVAL): nothing is left`,
    );
  }
  return 0;
}

if (import.meta.main) {
  await runMain("shmproc1", () => main([...Deno.args]), { usage: USAGE });
}
