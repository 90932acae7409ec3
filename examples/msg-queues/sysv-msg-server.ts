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
  decodeRequest,
  DEFAULT_KEY,
  encodeText,
  REQUEST,
  STOP,
  TEXT_MAX,
} from "./sysv_msg_protocol.ts";

const USAGE = "usage: sysv-msg-server [--key KEY]";

async function main(args: string[]): Promise<number> {
  setTraceRole("server");
  const key = takeKey(args, DEFAULT_KEY, USAGE);
  if (args.length > 0) throw new UsageError(USAGE);
  exitOnSignals();

  // msqid = msgget(KEY, IPC_CREAT | IPC_EXCL | 0600);
  let created: MessageQueue;
  try {
    created = MessageQueue.create(key, { mode: 0o600 });
  } catch (e) {
    if (e instanceof LibcError && e.errno === Errno.EEXIST) {
      throw new Error(
        `a message queue with key ${formatKey(key)} already exists ` +
          `(another server running? remove it with: ipcrm -Q ${formatKey(key)})`,
      );
    }
    throw e;
  }
  using queue = created; // safety net of error paths; the normal end removes it below
  using removal = onCleanup(`remove queue ${formatKey(key)}`, () => queue.remove());
  console.log(
    `sysv-msg-server: queue ${formatKey(key)} (msqid ${queue.id}) ready, waiting for requests`,
  );

  for (;;) {
    // msgrcv(msqid, &req, sizeof req.text + 4, -STOP, 0);
    const message = await queue.receiveAsync(4 + TEXT_MAX, -STOP);
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
    // reply.mtype = req.pid; msgsnd(msqid, &reply, len, 0);
    await queue.sendAsync(pid, encodeText(text.toUpperCase()));
  }
  // msgctl(msqid, IPC_RMID, NULL);
  queue.remove();
  removal.done();
  return 0;
}

if (import.meta.main) {
  await runMain("sysv-msg-server", () => main([...Deno.args]));
}
