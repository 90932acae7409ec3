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
 * `deno task posix-mq-send` and type lines (on a terminal it says so;
 * Ctrl+D ends it); `quit` ends the receiver.
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
 * - It notices when the queue it writes to was removed. The receiver
 *   unlinks the queue's name when it ends (`quit`, Ctrl+C), but a queue
 *   lives on, nameless, while a descriptor holds it: the C sender would go
 *   on sending into it, unread, and once it is full wait for ever. Before
 *   each line, and every 250 ms while the queue stays full, the port asks
 *   whether the name still exists: `mq_open(NAME, O_WRONLY|O_NONBLOCK)`
 *   (then `mq_close` of that probe); ENOENT ends it with `posix-mq-send:
 *   the queue /ipc-lab-mq was removed (the receiver ended); nothing more can
 *   be delivered`, exit 1. (A receiver killed with SIGKILL removes nothing:
 *   the name stays and a full queue waits for the next receiver, which opens
 *   the same queue; POSIX queues record no pid to check.)
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
  terminalHint,
  UsageError,
} from "../../lib/libc.ts";
import { checkQueueName, DEFAULT_NAME } from "./posix_mq_common.ts";

const USAGE = "usage: posix-mq-send [--name /NAME] [--priority N]";

function checkPriority(priority: number, what: string): number {
  if (priority < 0 || priority >= MQ_PRIO_MAX) {
    // (a typed line's priority is input, not an argument: no usage after it)
    throw new UsageError(`${what}: a priority is 0 .. ${MQ_PRIO_MAX - 1}, not ${priority}`, 1, {
      withUsage: what === "--priority",
    });
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

  /** The receiver unlinks the name when it ends: sending on would reach nobody. */
  const nameStillThere = () => {
    let probe: PosixMessageQueue;
    try {
      // probe = mq_open(NAME, O_WRONLY | O_NONBLOCK);  -- ENOENT: the name was unlinked
      probe = PosixMessageQueue.open(name, { flags: O.WRONLY | O.NONBLOCK });
    } catch (e) {
      if (e instanceof LibcError && e.errno === Errno.ENOENT) {
        throw new Error(
          `the queue ${name} was removed (the receiver ended); nothing more can be delivered`,
        );
      }
      throw e;
    }
    // mq_close(probe);
    probe.close();
  };

  const encoder = new TextEncoder();
  terminalHint(
    `posix-mq-send: type lines to send to ${name} ("7 text" sends with priority 7); ` +
      `Ctrl+D ends`,
  );
  const stdin = new LineReader(0);
  for (let line; (line = await stdin.readLine()) !== null;) {
    const text = chomp(line);
    const numbered = /^(\d+) (.*)$/.exec(text);
    const priority = numbered ? checkPriority(Number(numbered[1]), "priority") : defaultPriority;
    const body = numbered ? numbered[2] : text;
    nameStillThere();
    // mq_send(mqd, buf, strlen(buf), prio);  -- a full queue: poll for room, nameStillThere() meanwhile
    await queue.sendAsync(encoder.encode(body), priority, { check: nameStillThere });
    console.log(`sent with priority ${priority}: ${body}`);
  }
  // mq_close(mqd);
  queue.close();
  return 0;
}

if (import.meta.main) {
  await runMain("posix-mq-send", () => main([...Deno.args]), { usage: USAGE });
}
