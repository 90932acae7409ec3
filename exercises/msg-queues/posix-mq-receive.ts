// deno-lint-ignore-file no-unused-vars
// EXERCISE 13: posix-mq-receive (POSIX message queues, seed 003)
// Create the POSIX queue with its attributes, read them back, receive messages (highest priority first) until quit, then close the queue and remove its name.
// Replace each todo(...) with the call it describes. Check: `deno task exercise check posix-mq-receive`; a hint: `deno task exercise hint posix-mq-receive`.
import { todo } from "../../exercises/todo.ts";
/**
 * posix-mq-receive: a POSIX message queue's receiving end, showing
 * priorities.
 *
 * Ports: no C program of the seeds (seed 003 lists POSIX IPC beside SysV
 * IPC, "linux rt library"); written as the C would be: `mq_open` with
 * O_CREAT and a `struct mq_attr`, `mq_receive` in a loop, `mq_unlink`.
 *
 * Demonstrates: the receiver creates `/ipc-lab-mq` (10 messages of at most
 * 256 bytes), prints its attributes (`mq_getattr`), then waits for ENTER so
 * that posix-mq-send can fill the queue first, and prints how many messages
 * wait (`mq_getattr` again: `mq_curmsgs`). Then it receives: each
 * `mq_receive` returns the oldest message of the *highest priority*, whatever
 * order they were sent in, and prints `priority P: text`. It stops after a
 * message `quit`, or with `--drain` as soon as the queue is empty (an
 * O_NONBLOCK `mq_receive` on an empty queue fails with EAGAIN, printed).
 * At the end it closes its descriptor (`mq_close`) and removes the queue
 * (`mq_unlink`).
 *
 * Run (two terminals): `deno task posix-mq-receive`; in the other,
 * `deno task posix-mq-send` and type `1 low`, `7 urgent`, `3 normal`
 * (a leading number is the priority); press ENTER in the first terminal:
 * `urgent` comes out first. Type `quit` in the sender to end the receiver.
 * While it runs the queue is visible as /dev/mqueue/ipc-lab-mq where the
 * mqueue file system is mounted (`mount -t mqueue none /dev/mqueue`).
 *
 * Where it departs from the C and why:
 * - The queue is opened with O_NONBLOCK and the wait is a `poll` on the
 *   queue descriptor (an mqd_t is a file descriptor on Linux) in short
 *   slices: a blocking `mq_receive` through FFI would freeze the runtime, and
 *   Ctrl+C could not remove the queue.
 * - The queue name is removed on Ctrl+C/SIGTERM too (exit 130/143).
 * - A name removed from outside (another program's `mq_unlink`, e.g. a
 *   second posix-mq-receive on the same name that got `quit`; `rm
 *   /dev/mqueue/NAME` where that is mounted) leaves this receiver holding a
 *   nameless queue no sender can open. When no message has come for a
 *   second, the port checks that the name is still there
 *   (`mq_open(NAME, O_RDONLY|O_NONBLOCK)`, then `mq_close` of that probe),
 *   and if not says so and exits 1. At the end (and on Ctrl+C), a name
 *   already gone is a note on stderr, not an error.
 *
 * @module
 */
import {
  Errno,
  exitOnSignals,
  LibcError,
  LineReader,
  O,
  onCleanup,
  PosixMessageQueue,
  runMain,
  setTraceRole,
  takeFlag,
  takeOption,
  UsageError,
} from "../../lib/libc.ts";
import { ATTR, checkQueueName, DEFAULT_NAME } from "../../examples/msg-queues/posix_mq_common.ts";

const USAGE = "usage: posix-mq-receive [--name /NAME] [--drain]";

/** How long the receive loop waits for a message before it checks that the name still exists. */
const CHECK_AFTER_MS = 1000;

async function main(args: string[]): Promise<number> {
  setTraceRole("receiver");
  const name = takeOption(args, "name") ?? DEFAULT_NAME;
  const drain = takeFlag(args, "drain");
  if (args.length > 0) throw new UsageError(USAGE);
  const bad = checkQueueName(name);
  if (bad !== undefined) throw new UsageError(`${bad}\n${USAGE}`);
  exitOnSignals();

  // struct mq_attr attr = { .mq_maxmsg = 10, .mq_msgsize = 256 };
  // mqd = mq_open(NAME, O_CREAT | O_RDONLY, 0600, &attr);
  using queue = todo<PosixMessageQueue>(
    "open NAME for reading, non-blocking, creating it with mode 0600 and ATTR (C: mq_open(NAME, O_CREAT | O_RDONLY, 0600, &attr))",
  ); // disposing only closes it (an error path); the queue's name goes below, or on Ctrl+C
  const alreadyRemoved = () =>
    console.error(`posix-mq-receive: note: the queue ${name} was already removed from outside`);
  using unlink = onCleanup(`mq_unlink ${name}`, () => {
    if (!queue.remove()) alreadyRemoved();
  });
  // mq_getattr(mqd, &attr);
  const attr = todo<ReturnType<typeof queue.attributes>>(
    "read the queue's attributes (C: mq_getattr(mqd, &attr))",
  );
  console.log(
    `posix-mq-receive: queue ${name} ready (maxmsg ${attr.maxMessages}, msgsize ${attr.messageSize})`,
  );
  console.log("press ENTER to start receiving...");
  await new LineReader(0).readLine();
  console.log(`${queue.attributes().currentMessages} messages waiting`);

  /** Our queue's name is gone when someone else unlinked it: no sender can reach us. */
  const nameStillThere = () => {
    let probe: PosixMessageQueue;
    try {
      // probe = mq_open(NAME, O_RDONLY | O_NONBLOCK);  -- ENOENT: the name was unlinked
      probe = PosixMessageQueue.open(name, { flags: O.RDONLY | O.NONBLOCK });
    } catch (e) {
      if (e instanceof LibcError && e.errno === Errno.ENOENT) {
        unlink.done();
        throw new Error(
          `the queue ${name} was removed from outside (mq_unlink by another program, ` +
            `or rm /dev/mqueue${name}): no sender can reach it any more`,
        );
      }
      throw e;
    }
    // mq_close(probe);
    probe.close();
  };

  const decoder = new TextDecoder();
  for (;;) {
    let message;
    if (drain) {
      try {
        // n = mq_receive(mqd, buf, attr.mq_msgsize, &prio);  -- O_NONBLOCK
        message = todo<ReturnType<typeof queue.receive>>(
          "take the next message out, without waiting (C: mq_receive(mqd, buf, attr.mq_msgsize, &prio))",
        );
      } catch (e) {
        if (e instanceof LibcError && e.code === "EAGAIN") {
          console.log(`queue empty: ${e.message}`);
          break;
        }
        throw e;
      }
    } else {
      // n = mq_receive(mqd, buf, attr.mq_msgsize, &prio);  -- after poll(mqd, POLLIN)
      message = await todo<ReturnType<typeof queue.receiveAsync>>(
        "wait up to CHECK_AFTER_MS for the next message and take it out (C: poll, then mq_receive(mqd, buf, attr.mq_msgsize, &prio))",
      );
      if (message === null) {
        nameStillThere(); // a second without a message: is anyone still able to send?
        continue;
      }
    }
    const text = decoder.decode(message.data);
    console.log(`priority ${message.priority}: ${text}`);
    if (text === "quit") break;
  }
  // mq_close(mqd);
  todo("close the queue descriptor (C: mq_close(mqd))");
  // mq_unlink(NAME);
  if (!todo<boolean>("remove the queue's name (C: mq_unlink(NAME))")) alreadyRemoved();
  unlink.done();
  return 0;
}

if (import.meta.main) {
  await runMain("posix-mq-receive", () => main([...Deno.args]), { usage: USAGE });
}
