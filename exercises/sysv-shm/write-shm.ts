// deno-lint-ignore-file no-unused-vars
// EXERCISE 7: write-shm (seed 004, write_shm.c)
// Create the segment, write the message into it, detach, and leave the segment behind for read-shm.
// Replace each todo(...) with the call it describes. Check: `deno task exercise check write-shm`; a hint: `deno task exercise hint write-shm`.
import { todo } from "../../exercises/todo.ts";
/**
 * write-shm: leave a formatted message in System V shared memory and exit.
 *
 * Ports: `write_shm.c` of seed 004 ("Inter process communication using
 * shared memory"). The blog's code was lost; it is rebuilt from its prose:
 * create the segment with `IPC_CREAT` and a known key, attach it with
 * `shmat`, and write into it with `sprintf`; `read_shm` (read-shm.ts) then
 * finds it by the same key and parses it with `sscanf`.
 *
 * Demonstrates: the writer does not wait for a reader. It exits, and the
 * segment with its message stays in the kernel (System V objects live
 * until IPC_RMID or reboot, not until their creator exits): `deno task
 * ipcs -m` shows it with nattch 0. A reader can come any time later.
 *
 * What is written: `sprintf(buf, "message from pid %d: %s", getpid(), text)`
 * with text `This is a test` (or the words given on the command line).
 * Prints `Data written in memory: <the segment's string>`.
 *
 * Run: `deno task write-shm` then `deno task read-shm` (any number of
 * times), and `deno task read-shm --remove` to read it one last time and
 * remove the segment. `--key KEY` (default 0x12345678, the key of the
 * shmproc pair too) selects another segment; 4096 bytes, mode 0660.
 *
 * Where it departs from the C and why:
 * - The shmat result is checked against `(void *) -1` (the blog's style of
 *   code compares with NULL or `< 0`: both miss the failure).
 * - The message is bounds-checked (sprintf into 4096 bytes could overrun).
 * - If writing fails after the segment was created, the segment is
 *   removed; only a complete message is left behind.
 *
 * Calls that differ from the C (checked by `deno task compare`): none.
 *
 * @module
 */
import {
  formatKey,
  getpid,
  IPC,
  runMain,
  Segment,
  setTraceRole,
  takeKey,
  UsageError,
} from "../../lib/libc.ts";
import { SHMKEY, SHMSIZE } from "../../examples/sysv-shm/options.ts";

const USAGE = "usage: write-shm [--key KEY] [message words...]";

function main(args: string[]): number {
  setTraceRole("write-shm");
  const key = takeKey(args, SHMKEY, USAGE);
  const unknown = args.find((a) => a.startsWith("--"));
  if (unknown !== undefined) throw new UsageError(`unknown option ${unknown}\n${USAGE}`);
  const text = args.length > 0 ? args.join(" ") : "This is a test";
  if (text.includes("\n")) throw new UsageError(`the message must be one line\n${USAGE}`);

  // shmid = shmget(key, SHM_SIZE, 0660 | IPC_CREAT);
  // (`using`: should writing fail, a segment this call created is removed.)
  using segment = todo<ReturnType<typeof Segment.get>>(
    "find or create the segment of key, SHMSIZE (4096) bytes, mode 0660 " +
      "(C: shmid = shmget(key, SHM_SIZE, 0660 | IPC_CREAT))",
  );
  // data = shmat(shmid, NULL, 0);   (checked against (void *) -1)
  using data = todo<ReturnType<typeof segment.attach>>(
    "attach the segment to this process (C: data = shmat(shmid, NULL, 0))",
  );
  // sprintf(data, "message from pid %d: %s", getpid(), text);
  todo(
    'write "message from pid <pid>: <text>" into the segment ' +
      '(C: sprintf(data, "message from pid %d: %s", getpid(), text))',
  );
  // printf("Data written in memory: %s\n", data);
  console.log(`Data written in memory: ${data.readString()}`);
  // shmdt(data);  -- and the segment stays: that is the point
  todo("detach the segment from this process (C: shmdt(data))");
  todo("keep the segment after this exit: no IPC_RMID (C: shmdt alone leaves it)");
  console.log(
    `Shared memory key ${formatKey(key)} (shmid ${segment.id}) keeps it after this exit: ` +
      `deno task read-shm${key === SHMKEY ? "" : ` --key ${formatKey(key)}`} reads it.`,
  );
  return 0;
}

if (import.meta.main) {
  await runMain("write-shm", () => main([...Deno.args]), { usage: USAGE });
}
