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
 * - If shmproc2 is run first, its `IPC_CREAT` creates the segment (the C
 *   does too, then prints an empty line and leaves the segment forever).
 *   The port notices that it created it (IPC_STAT: `shm_cpid` is our pid)
 *   and removes it when it ends, Ctrl+C included; if shmproc1 is attached
 *   by then the kernel keeps it (`dest`) until shmproc1 detaches.
 * - Ctrl+C / SIGTERM while waiting exit 130 / 143 at once; EOF on stdin
 *   continues like `getchar()` returning EOF.
 * - `puts` of a segment without NUL would run past its end; the port reads
 *   at most the segment's 4096 bytes.
 *
 * @module
 */
import {
  exitOnSignals,
  killProcess,
  LibcError,
  LineReader,
  onCleanup,
  runMain,
  S,
  setTraceRole,
} from "../../lib/libc.ts";
import { formatKey, IPC } from "../../lib/sysv_ipc.ts";
import { Segment } from "../../lib/sysv_shm.ts";
import { noMoreArguments, SHMSIZE, takeKey } from "./options.ts";

const USAGE = "usage: shmproc2 [--key KEY]";

function processAlive(pid: number): boolean {
  try {
    killProcess(pid, 0);
    return true;
  } catch (e) {
    return !(e instanceof LibcError && e.code === "ESRCH");
  }
}

async function main(args: string[]): Promise<number> {
  setTraceRole("shmproc2");
  exitOnSignals();
  const key = takeKey(args, USAGE);
  noMoreArguments(args, USAGE);

  // if ((shmid = shmget(SHMKEY, 4096, S_IRUSR|S_IWUSR|S_IRGRP|S_IWGRP|IPC_CREAT)) < 0)
  //     exitsys("shmget");
  using segment = Segment.get(key, SHMSIZE, S.IRUSR | S.IWUSR | S.IRGRP | S.IWGRP | IPC.CREAT);
  // Only a segment we created is ours to remove (Segment's dispose does
  // that); on Ctrl+C too.
  using _removeOnSignal = segment.created
    ? onCleanup(`IPC_RMID shmid ${segment.id}`, () => segment[Symbol.dispose]())
    : undefined;

  // if ((buf = (char *) shmat(shmid, NULL, 0)) < 0)   <- never true: fixed
  //     exitsys("shmat");
  using buf = segment.attach();

  // printf("Press ENTER to continue...\n");
  console.log("Press ENTER to continue...");
  // getchar();
  await new LineReader(0).readLine();

  // puts(buf);
  console.log(buf.readString());
  // shmdt(buf);
  buf.detach();

  if (!segment.created) {
    // The segment is shmproc1's. If shmproc1 is gone without IPC_RMID, say
    // so: the segment outlives it (SysV persistence) until someone removes it.
    try {
      const st = segment.stat();
      if (!st.markedForRemoval && !processAlive(st.cpid)) {
        console.error(
          `shmproc2: note: segment ${formatKey(key)} (shmid ${segment.id}) outlived its ` +
            `creator (pid ${st.cpid}); it stays until removed: deno task ipcrm -M ${
              formatKey(key)
            }`,
        );
      }
    } catch (e) {
      // EINVAL: already freed (shmproc1 removed it and we detached last).
      if (!(e instanceof LibcError)) throw e;
    }
  }
  return 0;
}

if (import.meta.main) {
  await runMain("shmproc2", () => main([...Deno.args]));
}
