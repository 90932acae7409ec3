// deno-lint-ignore-file no-unused-vars
// EXERCISE 6: shmproc2 (seed 000, shmproc2.c)
// Find the segment shmproc1 made, attach it, print the string it holds after ENTER, and detach.
// Replace each todo(...) with the call it describes. Check: `deno task exercise check shmproc2`; a hint: `deno task exercise hint shmproc2`.
import { todo } from "../../exercises/todo.ts";
/**
 * shmproc2: the reading side of a System V shared memory pair.
 *
 * Ports: `shmproc2.c - Okuma yapan uygulama` ("the program that reads") of
 * seed 000, section "Paylaşılan Bellek Alanları".
 *
 * Demonstrates: the same `shmget(0x12345678, 4096, 0660|IPC_CREAT)` as
 * shmproc1 returns the id of the segment shmproc1 made; `shmat` maps the
 * same pages here; after ENTER, `puts(buf)` prints what shmproc1 copied
 * there, `This is a test`. No data moved through the kernel: the string
 * was in this process's memory the moment shmproc1 wrote it.
 *
 * Run (after `deno task shmproc1` in another terminal):
 * `deno task shmproc2`, then ENTER. `--key KEY` as for shmproc1.
 *
 * SysV persistence: if shmproc1 died without removing the segment (kill
 * -9), the segment and its text are still there: shmproc2 prints the text
 * and succeeds, as the C would, and then says on stderr that the
 * segment's creator is gone and how to remove it (`deno task ipcrm -M
 * KEY`). Segments live until IPC_RMID or reboot; `ipcs` shows a removed
 * segment that is still attached as `dest`.
 *
 * Where it departs from the C and why:
 * - shmat's failure value is `(void *) -1`; the C tested `< 0` (never
 *   true), the port checks the pointer value (see shmproc1.ts).
 * - One call more than the C, after its `shmdt`: `shmctl(IPC_STAT)`. It
 *   tells who created the segment (`shm_cpid`) and how many processes are
 *   still attached (`shm_nattch`), for the two things below.
 * - If shmproc2 is run first, its `IPC_CREAT` creates the segment (the C
 *   does too, and if nobody else comes, prints an empty line and leaves the
 *   segment forever). The port removes (IPC_RMID) a segment only if it
 *   created it *and* nobody is attached after its own shmdt. A shmproc1
 *   still attached (it came after us and waits for its ENTER) keeps the
 *   segment, and removes it itself: shmproc1 does shmdt *then* IPC_RMID,
 *   and that IPC_RMID fails with EINVAL (`shmctl: Invalid argument`, exit
 *   1, in the C shmproc1) if the segment was already removed and its shmdt
 *   was the last. The port used to remove the segment it created whenever
 *   it ended, and broke the C shmproc1 exactly so (issue 12). Ctrl+C /
 *   SIGTERM while waiting do the same: shmdt, IPC_STAT, IPC_RMID only if
 *   ours and unused.
 * - A race remains, as in any "check, then act" on SysV objects: a
 *   shmproc1 started in the instant between our IPC_STAT (nattch 0) and
 *   our IPC_RMID finds the segment by its key, and then either attaches a
 *   segment we mark `dest` (its IPC_RMID after its shmdt then fails as
 *   above) or finds it freed at its `shmat` (EINVAL: the port shmproc1
 *   exits 1; the C shmproc1 does not notice and crashes in `strcpy`). At
 *   human pace (ENTER here only after shmproc1's prompt) this cannot
 *   happen; only a lock shared by both programs (a semaphore) would close
 *   it, and the C has none.
 * - If the segment is not ours and nobody is attached after our shmdt
 *   (shmproc1 is gone without IPC_RMID, e.g. killed with SIGKILL), the
 *   port checks whether its creator lives (`kill(cpid, 0)`: one more call,
 *   made only in that case) and if not says so on stderr: the segment
 *   outlives its creator (SysV persistence) until `deno task ipcrm -M KEY`.
 * - Ctrl+C / SIGTERM while waiting exit 130 / 143 at once; EOF on stdin
 *   continues like `getchar()` returning EOF.
 * - `puts` of a segment without NUL would run past its end; the port reads
 *   at most the segment's 4096 bytes.
 *
 * Calls that differ from the C (checked by `deno task compare`):
 * - `+shmctl(IPC_STAT)`: after shmdt, to remove a segment only if it is
 *   ours and unused (see above).
 *
 * @module
 */
import {
  exitOnSignals,
  formatKey,
  getpid,
  IPC,
  isGone,
  LineReader,
  onCleanup,
  processAlive,
  runMain,
  S,
  Segment,
  setTraceRole,
  type ShmStat,
  takeKey,
} from "../../lib/libc.ts";
import { noMoreArguments, SHMKEY, SHMSIZE } from "../../examples/sysv-shm/options.ts";

const USAGE = "usage: shmproc2 [--key KEY]";

/**
 * After our shmdt (the C's last call): remove the segment only if we made
 * it and nobody is attached; leave one that is attached to whoever is
 * (shmproc1 removes it); note an orphan whose creator is gone.
 */
function afterDetach(segment: Segment): void {
  let st: ShmStat;
  try {
    // The one call the C does not make (see the header).
    st = segment.stat();
  } catch (e) {
    // EINVAL/EIDRM: already freed (shmproc1 removed it and our shmdt was the last).
    if (isGone(e)) return;
    throw e;
  }
  if (st.nattch > 0) return; // still in use (then shmproc1 removes it): not ours to end
  const key = formatKey(segment.key);
  if (st.cpid === getpid()) {
    // We created it and nobody else came: the C would leave it forever.
    // shmctl(shmid, IPC_RMID, NULL);  -- not in shmproc2.c (see the header);
    // false if someone removed it in the meantime: gone is what we wanted.
    segment.remove();
  } else if (!processAlive(st.cpid)) {
    // shmproc1 is gone without IPC_RMID: the segment outlives it (SysV
    // persistence) until someone removes it.
    console.error(
      `shmproc2: note: segment ${key} (shmid ${segment.id}) outlived its ` +
        `creator (pid ${st.cpid}); it stays until removed: deno task ipcrm -M ${key}`,
    );
  }
}

async function main(args: string[]): Promise<number> {
  setTraceRole("shmproc2");
  exitOnSignals();
  const key = takeKey(args, SHMKEY, USAGE);
  noMoreArguments(args, USAGE);

  // if ((shmid = shmget(SHMKEY, 4096, S_IRUSR|S_IWUSR|S_IRGRP|S_IWGRP|IPC_CREAT)) < 0)
  //     exitsys("shmget");
  // Not `using`: whether this handle removes the segment is afterDetach's
  // decision, never the handle's (keep()).
  const segment = todo<ReturnType<typeof Segment.get>>(
    "find or create the segment of key, SHMSIZE (4096) bytes, mode 0660 " +
      "(C: shmget(SHMKEY, 4096, S_IRUSR|S_IWUSR|S_IRGRP|S_IWGRP|IPC_CREAT))",
  ).keep();

  // if ((buf = (char *) shmat(shmid, NULL, 0)) < 0)   <- never true: fixed
  //     exitsys("shmat");
  using buf = todo<ReturnType<typeof segment.attach>>(
    "attach the segment to this process (C: buf = shmat(shmid, NULL, 0))",
  );
  // Any other way out (Ctrl+C / SIGTERM, handled only at the await below;
  // an error) does what the end does: shmdt, then afterDetach.
  const cleanup = onCleanup(`shmdt, IPC_RMID if ours and unused: shmid ${segment.id}`, () => {
    buf.detach();
    afterDetach(segment);
  });

  // printf("Press ENTER to continue...\n");
  console.log("Press ENTER to continue...");
  // getchar();
  await new LineReader(0).readLine();

  // puts(buf);
  console.log(todo<string>("the string shmproc1 left in the segment (C: puts(buf))"));
  cleanup.done(); // done here, in the C's order:
  // shmdt(buf);
  todo("detach the segment from this process (C: shmdt(buf))");
  afterDetach(segment);
  return 0;
}

if (import.meta.main) {
  await runMain("shmproc2", () => main([...Deno.args]), { usage: USAGE });
}
