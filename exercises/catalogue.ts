/**
 * Practice mode's exercises, in course order. Each is an example with the
 * calls its lesson is about blanked out: every {@link Blank} names a piece
 * of the example (`find`, which occurs exactly once in it) and what the
 * exercise has in its place (`todo`, the same statement with a
 * `todo("…")` where the call was, saying what is needed in the terms of the
 * C original). `deno task exercise build` writes `exercises/TOPIC/FILE.ts`
 * from the example and these blanks; putting each `find` back (solving) gives
 * the example again, byte for byte, which tests/exercise_test.ts checks. So
 * a solved exercise passes exactly the tests its example passes.
 *
 * Topic pages per exercise (`tests`): the paired test file and a `--filter`
 * picking the tests about that program; `deno task exercise check` runs them
 * against the reader's copy.
 *
 * @module
 */
import type { Exercise } from "./exercise.ts";
import { PIPES } from "./blanks/pipes.ts";
import { FIFO } from "./blanks/fifo.ts";
import { SYSV_SHM } from "./blanks/sysv_shm.ts";
import { MMAP } from "./blanks/mmap.ts";
import { POSIX_SHM } from "./blanks/posix_shm.ts";
import { MSG_QUEUES } from "./blanks/msg_queues.ts";
import { SOCKETS } from "./blanks/sockets.ts";
import { SEMAPHORES } from "./blanks/semaphores.ts";

/** Every exercise, in course order (one file of blanks per topic: exercises/blanks/). */
export const EXERCISES: Exercise[] = [
  ...PIPES,
  ...FIFO,
  ...SYSV_SHM,
  ...MMAP,
  ...POSIX_SHM,
  ...MSG_QUEUES,
  ...SOCKETS,
  ...SEMAPHORES,
];

/** The exercise of task `name`, and its number in the course (from 1). */
export function exerciseNamed(name: string): { exercise: Exercise; number: number } | undefined {
  const i = EXERCISES.findIndex((e) => e.name === name);
  return i < 0 ? undefined : { exercise: EXERCISES[i], number: i + 1 };
}
