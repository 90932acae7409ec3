/**
 * posix-mq-send: a POSIX message queue's sending end (see
 * posix-mq-receive.ts for the pair).
 *
 * Demonstrates: `mq_open` of an existing queue for writing, and `mq_send`
 * with a priority. Each line read from stdin is one message; a line that
 * starts with a number and a space gives its priority (`7 urgent` is
 * `urgent` with priority 7), any other line gets `--priority` (default 0).
 * It prints `sent with priority P: text` for each. At the end of its input
 * it closes its descriptor (`mq_close`); the queue stays for the receiver.
 *
 * Run: `deno task posix-mq-receive` first (it creates the queue), then
 * `deno task posix-mq-send` and type lines; `quit` ends the receiver.
 *
 * Where it departs from the C and why:
 * - It does not create the queue (no O_CREAT): the receiver owns it and
 *   removes it. Without it: "no queue /ipc-lab-mq: start posix-mq-receive
 *   first".
 * - When the queue is full (10 messages), the send waits with `poll` for
 *   room (POLLOUT on the queue descriptor) in short slices instead of
 *   blocking in `mq_send`, so Ctrl+C still works.
 * - A message longer than the queue's `mq_msgsize` fails with EMSGSIZE,
 *   reported, exit 1.
 *
 * Ports: beyond the seeds (seed 003 names message queues and POSIX IPC);
 * the sending half of the pair.
 *
 * @module
 */
import {
  chomp,
  Errno,
  exitOnSignals,
  LibcError,
  LineReader,
  MQ_PRIO_MAX,
  O,
  parseInteger,
  PosixMessageQueue,
  runMain,
  setTraceRole,
  takeOption,
  UsageError,
} from "../../lib/libc.ts";
import { checkQueueName, DEFAULT_NAME } from "./posix_mq_common.ts";

const USAGE = "usage: posix-mq-send [--name /NAME] [--priority N]";

function checkPriority(priority: number, what: string): number {
  if (priority < 0 || priority >= MQ_PRIO_MAX) {
    throw new UsageError(`${what}: a priority is 0 .. ${MQ_PRIO_MAX - 1}, not ${priority}`);
  }
  return priority;
}

async function main(args: string[]): Promise<number> {
  setTraceRole("sender");
  const name = takeOption(args, "name") ?? DEFAULT_NAME;
  const priorityText = takeOption(args, "priority");
  if (args.length > 0) throw new UsageError(USAGE);
  const bad = checkQueueName(name);
  if (bad !== undefined) throw new UsageError(`${bad}\n${USAGE}`);
  const defaultPriority = priorityText === undefined
    ? 0
    : checkPriority(parseInteger(priorityText, "--priority"), "--priority");
  exitOnSignals();

  let opened: PosixMessageQueue;
  try {
    // mqd = mq_open(NAME, O_WRONLY);
    opened = PosixMessageQueue.open(name, { flags: O.WRONLY | O.NONBLOCK });
  } catch (e) {
    if (e instanceof LibcError && e.errno === Errno.ENOENT) {
      throw new Error(`no queue ${name}: start posix-mq-receive first`);
    }
    throw e;
  }
  using queue = opened; // disposing closes it on an error path; the normal end closes it below

  const encoder = new TextEncoder();
  const stdin = new LineReader(0);
  for (let line; (line = await stdin.readLine()) !== null;) {
    const text = chomp(line);
    const numbered = /^(\d+) (.*)$/.exec(text);
    const priority = numbered ? checkPriority(Number(numbered[1]), "priority") : defaultPriority;
    const body = numbered ? numbered[2] : text;
    // mq_send(mqd, buf, strlen(buf), prio);
    await queue.sendAsync(encoder.encode(body), priority);
    console.log(`sent with priority ${priority}: ${body}`);
  }
  // mq_close(mqd);
  queue.close();
  return 0;
}

if (import.meta.main) {
  await runMain("posix-mq-send", () => main([...Deno.args]));
}
