// deno-lint-ignore-file no-unused-vars
// EXERCISE 12: sysv-msg-server (System V message queues, seed 003)
// Create the queue for KEY, take requests out lowest type first, answer each with a message whose type is the client's pid, and remove the queue at the end.
// Replace each todo(...) with the call it describes. Check: `deno task exercise check sysv-msg-server`; a hint: `deno task exercise hint sysv-msg-server`.
import { todo } from "../../exercises/todo.ts";
/**
 * sysv-msg-server: a typed-message server on one System V message queue.
 *
 * Ports: no C program of the seeds (seed 003 names "Message Queue" among
 * the SysV IPC kinds `ipcs` lists); written the way the seed's shm examples
 * are: a fixed key `0x12345678`, `msgget` with IPC_CREAT, IPC_RMID at the end.
 *
 * Demonstrates: message *types*. One queue carries everything: clients
 * send requests with mtype 1 (REQUEST) holding their pid and a line of
 * text; the server answers each with mtype = that client's pid, so every
 * client takes only its own replies out of the shared queue
 * (`msgrcv(id, ..., getpid(), 0)`). The server reads with msgtyp -2: "the
 * lowest type <= 2", so all pending requests (1) come out before a stop
 * request (2): a priority queue for free. The reply is the text in upper
 * case.
 *
 * Run (two terminals): `deno task sysv-msg-server`, then
 * `deno task sysv-msg-client` and type lines; several clients may run at
 * once. `deno task sysv-msg-client --stop` (or Ctrl+C here) ends the server,
 * which removes the queue. `ipcs -q` shows the queue while it runs.
 * `--key KEY` (both programs) takes another key: decimal, 0x hex or 0
 * octal, at most 32 bits, and not 0 (IPC_PRIVATE, a queue no client could
 * find by key): those are usage errors, exit 1.
 *
 * Where it departs from the C one would write and why:
 * - The waiting `msgrcv` uses IPC_NOWAIT and retries after a short async
 *   sleep (see lib/sysv_msg.ts): a blocking msgrcv through FFI would freeze
 *   the runtime so that Ctrl+C could not run the cleanup.
 * - The queue is made with IPC_CREAT|IPC_EXCL: a second server on the same
 *   key is refused (EEXIST) instead of sharing, and stealing, the requests.
 * - The server's card: right after `msgget` it sends one message of type
 *   CARD (sysv_msg_protocol.ts) holding its pid, and leaves it in the queue.
 *   A System V queue records no creator pid, and a server killed with
 *   SIGKILL leaves its queue behind; on EEXIST the next server takes the
 *   card out (`msgrcv(CARD, IPC_NOWAIT)`): if that pid is alive, it puts
 *   the card back and refuses (a server is running); if not, it removes the
 *   dead server's queue (IPC_RMID, with whatever was still in it) and starts
 *   afresh. A queue without a card was not made by this server: it is left
 *   alone, with the command that removes it. (`ipcs -q` shows the card as
 *   one message of 4 bytes.)
 * - When the queue is removed from outside (`ipcrm -q`) while the server
 *   waits, `msgrcv` fails with EIDRM: the server says so and exits 1.
 * - Before replying, the server checks that the client still exists
 *   (`kill(pid, 0)`): a reply to a dead client would stay in the queue
 *   forever, since nobody will ever ask for that type.
 *
 * @module
 */
import {
  Errno,
  exitOnSignals,
  formatKey,
  getpid,
  IPC,
  isGone,
  LibcError,
  MessageQueue,
  onCleanup,
  processAlive,
  runMain,
  setTraceRole,
  takeKey,
  UsageError,
} from "../../lib/libc.ts";
import {
  CARD,
  decodeRequest,
  DEFAULT_KEY,
  encodeRequest,
  encodeText,
  REQUEST,
  STOP,
  TEXT_MAX,
} from "../../examples/msg-queues/sysv_msg_protocol.ts";

const USAGE = "usage: sysv-msg-server [--key KEY]";

/**
 * `msgget` found a queue with our key (EEXIST). Read the card in it: a
 * running server's is put back and we refuse; a dead server's queue is
 * removed, so the caller can create a fresh one. Throws the refusal.
 */
function removeDeadServersQueue(key: number): void {
  const k = formatKey(key);
  const keyOption = key === DEFAULT_KEY ? "" : ` --key ${k}`;
  let old: MessageQueue;
  let card;
  try {
    // msqid = msgget(KEY, 0);
    old = MessageQueue.open(key);
    // msgrcv(msqid, &card, sizeof card.pid, CARD, IPC_NOWAIT);
    card = old.receive(4, CARD, IPC.NOWAIT);
  } catch (e) {
    if (isGone(e)) return; // removed meanwhile: the key is free again
    if (e instanceof LibcError && e.errno === Errno.ENOMSG) {
      throw new Error(
        `a message queue with key ${k} already exists, and no sysv-msg-server card is in it ` +
          `(another program's queue?): if nothing uses it, remove it: deno task ipcrm -Q ${k}`,
      );
    }
    throw e;
  }
  const { pid } = decodeRequest(card.data);
  if (processAlive(pid)) {
    // msgsnd(msqid, &card, sizeof card.pid, IPC_NOWAIT);  -- put it back: not ours to take
    old.send(CARD, card.data, IPC.NOWAIT);
    throw new Error(
      `a message queue with key ${k} already exists: sysv-msg-server pid ${pid} serves it ` +
        `(stop it first: deno task sysv-msg-client --stop${keyOption})`,
    );
  }
  // msgctl(msqid, IPC_RMID, NULL);  -- the dead server's queue, and what was left in it
  old.remove();
  console.error(
    `sysv-msg-server: note: queue ${k} (msqid ${old.id}) was left by sysv-msg-server ` +
      `pid ${pid}, which is gone (killed?): removed it, with what was still in it`,
  );
}

async function main(args: string[]): Promise<number> {
  setTraceRole("server");
  const key = takeKey(args, DEFAULT_KEY, USAGE);
  if (args.length > 0) throw new UsageError(USAGE);
  exitOnSignals();

  const k = formatKey(key);
  // msqid = msgget(KEY, IPC_CREAT | IPC_EXCL | 0600);
  let created: MessageQueue;
  try {
    created = todo<MessageQueue>(
      "create a new queue for KEY, mode 0600, refusing one that exists (C: msgget(KEY, IPC_CREAT | IPC_EXCL | 0600))",
    );
  } catch (e) {
    if (!(e instanceof LibcError && e.errno === Errno.EEXIST)) throw e;
    removeDeadServersQueue(key); // refuses if a live server has it
    // msqid = msgget(KEY, IPC_CREAT | IPC_EXCL | 0600);  -- again, on the freed key
    created = MessageQueue.create(key, { mode: 0o600 });
  }
  using queue = created; // safety net of error paths; the normal end removes it below
  const alreadyRemoved = () =>
    console.error(
      `sysv-msg-server: note: queue ${k} (msqid ${queue.id}) was already removed ` +
        `from outside (ipcrm?)`,
    );
  using removal = onCleanup(`remove queue ${k}`, () => {
    if (!queue.remove()) alreadyRemoved();
  });
  // card.mtype = CARD; card.pid = getpid(); msgsnd(msqid, &card, sizeof card.pid, 0);
  await queue.sendAsync(CARD, encodeRequest(getpid(), ""));
  console.log(`sysv-msg-server: queue ${k} (msqid ${queue.id}) ready, waiting for requests`);

  /** The queue vanished under us: only an outside `ipcrm` does that. */
  const removedFromOutside = (e: unknown, where: string) => {
    if (!isGone(e)) return e;
    removal.done();
    return new Error(
      `the queue ${k} (msqid ${queue.id}) was removed from outside (ipcrm?) ${where} ` +
        `(${e.call}: ${e.code}): nothing left to serve`,
    );
  };

  for (;;) {
    let message;
    try {
      // msgrcv(msqid, &req, sizeof req.text + 4, -STOP, 0);
      message = await todo<ReturnType<typeof queue.receiveAsync>>(
        "take the next request out, the lowest type <= STOP first (C: msgrcv(msqid, &req, sizeof req.text + 4, -STOP, 0))",
      );
    } catch (e) {
      throw removedFromOutside(e, "while waiting for requests");
    }
    if (message === null) continue;
    const { pid, text } = decodeRequest(message.data);
    if (message.type === STOP) {
      console.log(`stop request from pid ${pid}: removing the queue`);
      break;
    }
    if (message.type !== REQUEST || pid <= 0) {
      console.log(`ignored a message of type ${message.type} (${message.data.length} bytes)`);
      continue;
    }
    console.log(`request from pid ${pid}: ${text}`);
    // if (kill(req.pid, 0) == -1 && errno == ESRCH) continue;  -- the client is gone
    if (!processAlive(pid)) {
      console.log(`client ${pid} is gone: reply dropped`);
      continue;
    }
    try {
      // reply.mtype = req.pid; msgsnd(msqid, &reply, len, 0);
      todo(
        "send the text in upper case, as a message of type pid (C: reply.mtype = req.pid; msgsnd(msqid, &reply, len, 0))",
      );
    } catch (e) {
      throw removedFromOutside(e, "while replying");
    }
  }
  // msgctl(msqid, IPC_RMID, NULL);
  if (!todo<boolean>("remove the queue (C: msgctl(msqid, IPC_RMID, NULL))")) alreadyRemoved();
  removal.done();
  return 0;
}

if (import.meta.main) {
  await runMain("sysv-msg-server", () => main([...Deno.args]), { usage: USAGE });
}
