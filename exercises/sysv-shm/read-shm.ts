// deno-lint-ignore-file no-unused-vars
// EXERCISE 8: read-shm (seed 004, read_shm.c)
// Find write-shm's segment by its key without creating one, attach it read-only, read the message, detach, and with --remove remove the segment.
// Replace each todo(...) with the call it describes. Check: `deno task exercise check read-shm`; a hint: `deno task exercise hint read-shm`.
import { todo } from "../../exercises/todo.ts";
/**
 * read-shm: read the message write-shm left in System V shared memory.
 *
 * Ports: `read_shm.c` of seed 004 (code lost, rebuilt from the prose): get
 * the segment with the same key as write_shm, *without* IPC_CREAT, attach
 * it, and parse the message with `sscanf`.
 *
 * Demonstrates: the message was written by a process that has already
 * exited; the segment kept it (System V persistence). `shmget` without
 * IPC_CREAT fails with ENOENT when there is no segment: the port says to
 * run write-shm first. The segment is attached SHM_RDONLY: this side only
 * reads.
 *
 * Prints `Data read from memory: <text>` and `Written by pid <pid>`, parsed
 * with the equivalent of `sscanf(buf, "message from pid %d: %[^\n]", &pid,
 * text)`.
 *
 * Removing the segment: reading leaves it in place (run read-shm as often
 * as you like); `deno task read-shm --remove` reads it and then removes it
 * (IPC_RMID). `deno task ipcrm -M 0x12345678` also removes it.
 *
 * Run: `deno task write-shm`, then `deno task read-shm [--remove] [--key KEY]`.
 *
 * Where it departs from the C and why:
 * - shmat's failure value `(void *) -1` is checked for.
 * - A segment that does not hold a write-shm message (e.g. shmproc1's,
 *   which shares the default key) is reported, not parsed into garbage.
 * - `--remove` is new: something must remove the segment, or it stays
 *   until reboot. A segment someone else removed after our `shmget`
 *   (`ipcrm`) is no error: a note on stderr says so, exit 0.
 *
 * Calls that differ from the C (checked by `deno task compare`): none.
 * (`--remove` adds `shmctl(IPC_RMID)`; the C has no such option.)
 *
 * @module
 */
import {
  formatKey,
  LibcError,
  runMain,
  Segment,
  setTraceRole,
  takeFlag,
  takeKey,
} from "../../lib/libc.ts";
import { noMoreArguments, SHMKEY, SHMSIZE } from "../../examples/sysv-shm/options.ts";

const USAGE = "usage: read-shm [--key KEY] [--remove]";

/** `sscanf(buf, "message from pid %d: %[^\n]", &pid, text) == 2` */
function parseMessage(text: string): { pid: number; message: string } | null {
  const m = /^message from pid (-?\d+): ([^\n]+)/.exec(text);
  return m === null ? null : { pid: Number(m[1]), message: m[2] };
}

function main(args: string[]): number {
  setTraceRole("read-shm");
  const key = takeKey(args, SHMKEY, USAGE);
  const remove = takeFlag(args, "remove");
  noMoreArguments(args, USAGE);
  const keyOption = key === SHMKEY ? "" : ` --key ${formatKey(key)}`;

  // shmid = shmget(key, SHM_SIZE, 0440);   -- no IPC_CREAT: it must exist
  let segment: Segment;
  try {
    segment = todo<Segment>(
      "find the existing segment of key, SHMSIZE bytes, mode 0440, no IPC_CREAT " +
        "(C: shmid = shmget(key, SHM_SIZE, 0440))",
    );
  } catch (e) {
    if (e instanceof LibcError && e.code === "ENOENT") {
      console.error(
        `read-shm: no shared memory segment with key ${formatKey(key)}: ` +
          `run \`deno task write-shm${keyOption}\` first`,
      );
      return 1;
    }
    throw e;
  }

  // data = shmat(shmid, NULL, SHM_RDONLY);
  using data = todo<ReturnType<typeof segment.attach>>(
    "attach the segment read-only (C: data = shmat(shmid, NULL, SHM_RDONLY))",
  );
  // if (sscanf(data, "message from pid %d: %4095[^\n]", &pid, text) != 2) {
  const raw = todo<string>(
    "the string write-shm left in the segment (C: the data sscanf parses)",
  );
  const parsed = parseMessage(raw);
  if (parsed === null) {
    //   fprintf(stderr, "read_shm: the segment holds no write_shm message\n");
    console.error(
      `read-shm: segment ${formatKey(key)} (shmid ${segment.id}) does not hold a write-shm ` +
        `message (it holds ${JSON.stringify(raw.slice(0, 60))}): ` +
        `run \`deno task write-shm${keyOption}\` first`,
    );
    //   shmdt(data); exit(EXIT_FAILURE);
    data.detach();
    return 1;
  }
  // printf("Data read from memory: %s\n", text);
  console.log(`Data read from memory: ${parsed.message}`);
  // printf("Written by pid %d\n", pid);
  console.log(`Written by pid ${parsed.pid}`);
  // shmdt(data);
  todo("detach the segment from this process (C: shmdt(data))");

  if (remove) {
    // shmctl(shmid, IPC_RMID, NULL);  -- --remove only: not in read_shm.c
    if (todo<boolean>("remove the segment (C: shmctl(shmid, IPC_RMID, NULL))")) {
      console.log(`Removed shared memory key ${formatKey(key)} (shmid ${segment.id}).`);
    } else {
      console.error(
        `read-shm: note: segment ${formatKey(key)} (shmid ${segment.id}) was already removed ` +
          `by someone else: nothing is left`,
      );
    }
  } else {
    console.log(
      `The segment stays (System V): \`deno task read-shm${keyOption} --remove\` removes it.`,
    );
  }
  return 0;
}

if (import.meta.main) {
  await runMain("read-shm", () => main([...Deno.args]), { usage: USAGE });
}
