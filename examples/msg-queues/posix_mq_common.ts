/**
 * What posix-mq-send and posix-mq-receive agree on: the default queue name
 * and the attributes the receiver creates the queue with.
 *
 * Run: not a program; posix-mq-send.ts and posix-mq-receive.ts import it.
 * Beyond the seeds (seed 003 names POSIX IPC).
 *
 * @module
 */

/** The default queue name (one leading slash, no other). */
export const DEFAULT_NAME = "/ipc-lab-mq";

/** `struct mq_attr` for the queue: 10 messages of at most 256 bytes. */
export const ATTR = { maxMessages: 10, messageSize: 256 } as const;

/** A queue name must be `/name` with no other slash (mq_overview(7)). */
export function checkQueueName(name: string): string | undefined {
  if (!/^\/[^/]+$/.test(name)) {
    return `--name: a queue name is a slash and a name without other slashes, like /ipc-lab-mq (got ${
      JSON.stringify(name)
    })`;
  }
  if (name.length > 255) return "--name: a queue name has at most 255 characters";
  return undefined;
}
