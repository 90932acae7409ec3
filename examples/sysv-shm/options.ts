/**
 * The command line shared by the sysv-shm ports of seeds 000 and 004: the
 * originals' key and size, and the check for leftover arguments. `--key
 * KEY` itself is read by lib/keys.ts's `takeKey(args, SHMKEY, usage)`, the
 * one key rule of the project.
 *
 * Run: not a program; shmproc1.ts, shmproc2.ts, write-shm.ts and
 * read-shm.ts import it.
 *
 * @module
 */
import { UsageError } from "../../lib/libc.ts";

/** `#define SHMKEY 0x12345678` of seed 000 (also used by write-shm/read-shm). */
export const SHMKEY = 0x12345678;

/** The originals' segment size: `shmget(SHMKEY, 4096, ...)`. */
export const SHMSIZE = 4096;

/** Refuse leftover arguments with the usage line. */
export function noMoreArguments(args: string[], usage: string): void {
  if (args.length > 0) {
    throw new UsageError(`unexpected argument ${JSON.stringify(args[0])}\n${usage}`);
  }
}
