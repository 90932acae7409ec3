/**
 * sysv-msg-client: the client of sysv-msg-server (see that file).
 *
 * Demonstrates: each line read from stdin goes to the server as a request
 * (mtype 1, carrying this client's pid); the client then takes out of the
 * *same* queue only the message whose type is its own pid:
 * `msgrcv(id, ..., getpid(), 0)`. Other clients' replies stay where they are
 * for their owners. It prints `reply: <TEXT>` for each line.
 *
 * Run: `deno task sysv-msg-client` while `deno task sysv-msg-server` runs,
 * type lines (on a terminal it says so), end with Ctrl+D. `deno task sysv-msg-client --stop` asks the
 * server to finish (mtype 2) and remove the queue. `--key KEY` must match
 * the server's (not 0 = IPC_PRIVATE, at most 32 bits: usage error, exit 1).
 *
 * Where it departs from the C one would write and why:
 * - Without the server's queue, the client does not create one (no
 *   IPC_CREAT): `msgget` fails with ENOENT and the client says to start the
 *   server first.
 * - The wait for a reply is signal-friendly (IPC_NOWAIT + short async
 *   retries) and bounded: `--timeout SECONDS` (default 10). A server that was
 *   killed cannot tell anyone, its queue simply stays, so a client that only
 *   blocked in msgrcv would wait forever.
 * - The server's queue gone (the server ended: `--stop`, Ctrl+C, or an
 *   outside `ipcrm`) is said in the client's terms, never as a bare errno:
 *   `the server's queue 0x12345678 is gone (msgsnd: EINVAL): the server
 *   ended` when the next line cannot be sent, `... was removed while waiting
 *   for a reply (msgrcv: EIDRM) ...` when it goes during the wait. Exit 1.
 *
 * Ports: beyond the seeds (seed 003 names SysV message queues); the
 * client half of the pair.
 *
 * @module
 */
import {
  chomp,
  Errno,
  exitOnSignals,
  formatKey,
  getpid,
  LibcError,
  LineReader,
  MessageQueue,
  parseInteger,
  runMain,
  setTraceRole,
  takeFlag,
  takeKey,
  takeOption,
  terminalHint,
  UsageError,
} from "../../lib/libc.ts";
import {
  decodeText,
  DEFAULT_KEY,
  encodeRequest,
  REQUEST,
  STOP,
  TEXT_MAX,
} from "./sysv_msg_protocol.ts";

const USAGE = "usage: sysv-msg-client [--key KEY] [--timeout SECONDS] [--stop]";

/** EINVAL/EIDRM from msgsnd or msgrcv: the server's queue is gone; say so in our terms. */
function queueGone(e: unknown, key: number, when = "is gone"): unknown {
  if (e instanceof LibcError && (e.errno === Errno.EIDRM || e.errno === Errno.EINVAL)) {
    return new Error(
      `the server's queue ${formatKey(key)} ${when} (${e.call}: ${e.code}): the server ended`,
    );
  }
  return e;
}

function openQueue(key: number): MessageQueue {
  try {
    // msqid = msgget(KEY, 0);
    return MessageQueue.open(key);
  } catch (e) {
    if (e instanceof LibcError && e.errno === Errno.ENOENT) {
      throw new Error(
        `no message queue with key ${formatKey(key)}: start sysv-msg-server first`,
      );
    }
    throw e;
  }
}

async function main(args: string[]): Promise<number> {
  setTraceRole("client");
  const key = takeKey(args, DEFAULT_KEY, USAGE);
  const timeoutText = takeOption(args, "timeout");
  const stop = takeFlag(args, "stop");
  if (args.length > 0) throw new UsageError(USAGE);
  const timeout = timeoutText === undefined ? 10 : parseInteger(timeoutText, "--timeout");
  if (timeout <= 0) throw new UsageError("--timeout: must be a positive number of seconds");

  exitOnSignals(); // Ctrl+C while waiting: exit 130 (nothing of ours to remove)
  const queue = openQueue(key);
  const pid = getpid();
  if (stop) {
    try {
      // req.mtype = STOP; req.pid = getpid(); msgsnd(msqid, &req, sizeof req.pid, 0);
      await queue.sendAsync(STOP, encodeRequest(pid, ""));
    } catch (e) {
      throw queueGone(e, key);
    }
    console.log("stop request sent");
    return 0;
  }

  terminalHint(
    `sysv-msg-client: type lines to send to the server (queue ${formatKey(key)}); ` +
      `Ctrl+D ends`,
  );
  const stdin = new LineReader(0);
  for (let line; (line = await stdin.readLine()) !== null;) {
    const text = chomp(line);
    if (new TextEncoder().encode(text).length > TEXT_MAX) {
      console.error(`sysv-msg-client: line longer than ${TEXT_MAX} bytes skipped`);
      continue;
    }
    try {
      // req.mtype = REQUEST; req.pid = getpid(); msgsnd(msqid, &req, len, 0);
      await queue.sendAsync(REQUEST, encodeRequest(pid, text));
    } catch (e) {
      throw queueGone(e, key);
    }
    let reply;
    try {
      // msgrcv(msqid, &reply, TEXT_MAX, getpid(), 0);  -- only our own type
      reply = await queue.receiveAsync(TEXT_MAX, pid, { timeoutMs: timeout * 1000 });
    } catch (e) {
      throw queueGone(e, key, "was removed while waiting for a reply");
    }
    if (reply === null) {
      throw new Error(`no reply within ${timeout} s: is sysv-msg-server still running?`);
    }
    console.log(`reply: ${decodeText(reply.data)}`);
  }
  return 0;
}

if (import.meta.main) {
  await runMain("sysv-msg-client", () => main([...Deno.args]), { usage: USAGE });
}
