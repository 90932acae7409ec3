/**
 * The command line shared by the sysv-shm ports of seeds 000 and 004:
 * `--key KEY` (decimal, `0x` hex or `0` octal, like C's
 * `strtol(s, NULL, 0)`), defaulting to the originals'
 * `#define SHMKEY 0x12345678`.
 *
 * Run: not a program; shmproc1.ts, shmproc2.ts, write-shm.ts and
 * read-shm.ts import it.
 *
 * @module
 */
import { parseInteger, takeOption, UsageError } from "../../lib/libc.ts";

/** `#define SHMKEY 0x12345678` of seed 000 (also used by write-shm/read-shm). */
export const SHMKEY = 0x12345678;

/** The originals' segment size: `shmget(SHMKEY, 4096, ...)`. */
export const SHMSIZE = 4096;

/**
 * Take `--key` out of `args` and return the key; a bad value (not a
 * number, 0 = IPC_PRIVATE, more than 32 bits) is a UsageError that carries
 * the usage line.
 */
export function takeKey(args: string[], usage: string): number {
  const text = takeOption(args, "key");
  if (text === undefined) return SHMKEY;
  let key: number;
  try {
    key = parseInteger(text, "--key");
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${usage}`);
  }
  if (key < -0x80000000 || key > 0xffffffff) {
    throw new UsageError(`--key: does not fit in 32 bits: ${text}\n${usage}`);
  }
  if (key === 0) {
    throw new UsageError(
      `--key: 0 is IPC_PRIVATE (a new segment nobody else can find): give a real key\n${usage}`,
    );
  }
  return key | 0;
}

/** Refuse leftover arguments with the usage line. */
export function noMoreArguments(args: string[], usage: string): void {
  if (args.length > 0) {
    throw new UsageError(`unexpected argument ${JSON.stringify(args[0])}\n${usage}`);
  }
}
