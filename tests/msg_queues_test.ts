/**
 * Paired tests of examples/msg-queues (SysV typed client/server, POSIX
 * priorities) plus unit tests of lib/sysv_msg.ts and lib/posix_mq.ts. Every
 * program runs as a real process; each test uses its own key or queue name.
 */
import "./_helpers/bind_libc.ts"; // before anything calls libc: see the module
import assert from "node:assert/strict";
import { Errno, O } from "../lib/libc.ts";
import { IPC } from "../lib/sysv_ipc.ts";
import { MessageQueue, msgget, msgrcv, msgRemove, msgsnd, msgStat } from "../lib/sysv_msg.ts";
import { mqUnlink, PosixMessageQueue } from "../lib/posix_mq.ts";
import { randomKey, randomTag, run, start, type Started } from "./_helpers/run.ts";
import { LeakGuard } from "./_helpers/leaks.ts";
import { expectLibcError } from "./_helpers/assert.ts";

/**
 * Run independent scenarios at once and wait for every one to end (a failing
 * one must not leave the others' processes running into the next test);
 * then fail with the first failure.
 */
async function allOf(...scenarios: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(scenarios);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const hex = (key: number) => `0x${key.toString(16)}`;
const key8 = (key: number) => `0x${key.toString(16).padStart(8, "0")}`;

/** The POSIX queue `name` no longer exists (the mqueue fs is not always mounted). */
function assertQueueGone(name: string): void {
  expectLibcError(
    () => PosixMessageQueue.open(name, { flags: O.RDONLY }),
    "mq_open",
    "ENOENT",
  );
}

// ---- lib/sysv_msg.ts ------------------------------------------------------

Deno.test("msgrcv honours types: exact type, lowest type <= |t|, and first of any", () => {
  using q = MessageQueue.create(IPC.PRIVATE, { mode: 0o600 });
  for (const [type, text] of [[3, "three"], [1, "one"], [2, "two"], [1, "one again"]] as const) {
    msgsnd(q.id, type, encoder.encode(text));
  }
  assert.equal(msgStat(q.id).messages, 4);
  const m2 = msgrcv(q.id, 64, 2);
  assert.deepEqual([m2.type, decoder.decode(m2.data)], [2, "two"]);
  const low = msgrcv(q.id, 64, -3); // lowest type <= 3: the type-1 messages, oldest first
  assert.deepEqual([low.type, decoder.decode(low.data)], [1, "one"]);
  const first = msgrcv(q.id, 64, 0); // the oldest of any type
  assert.deepEqual([first.type, decoder.decode(first.data)], [3, "three"]);
  const last = msgrcv(q.id, 64, 1);
  assert.deepEqual([last.type, decoder.decode(last.data)], [1, "one again"]);
});

Deno.test("IPC_NOWAIT: an empty queue is ENOMSG, a full one EAGAIN, a big message E2BIG", () => {
  using q = MessageQueue.create(IPC.PRIVATE, { mode: 0o600 });
  expectLibcError(() => msgrcv(q.id, 64, 0, IPC.NOWAIT), "msgrcv", "ENOMSG");
  msgsnd(q.id, 5, encoder.encode("x"));
  expectLibcError(() => msgrcv(q.id, 64, 4, IPC.NOWAIT), "msgrcv", "ENOMSG"); // wrong type
  const big = new Uint8Array(100);
  msgsnd(q.id, 6, big);
  expectLibcError(() => msgrcv(q.id, 10, 6, IPC.NOWAIT), "msgrcv", "E2BIG");
  // Fill the queue up to msg_qbytes, then one more byte does not fit.
  const room = q.stat().maxBytes - q.stat().bytes;
  const chunk = new Uint8Array(4096);
  let left = room;
  while (left >= chunk.length) {
    msgsnd(q.id, 7, chunk, IPC.NOWAIT);
    left -= chunk.length;
  }
  if (left > 0) msgsnd(q.id, 7, new Uint8Array(left), IPC.NOWAIT);
  expectLibcError(() => msgsnd(q.id, 7, chunk, IPC.NOWAIT), "msgsnd", "EAGAIN");
  assert.throws(() => msgsnd(q.id, 0, chunk), RangeError);
});

Deno.test("msgget without IPC_CREAT names the missing key; a removed queue is gone", () => {
  const key = randomKey();
  const e = expectLibcError(() => msgget(key, 0), "msgget", "ENOENT");
  assert.match(e.message, new RegExp(`^msgget 0x0*${key.toString(16)}: ENOENT`));
  const guard = new LeakGuard({ keys: [key] });
  const q = MessageQueue.create(key);
  expectLibcError(() => MessageQueue.create(key), "msgget", "EEXIST");
  q[Symbol.dispose]();
  q[Symbol.dispose](); // a second release is harmless
  guard.check();
});

// ---- sysv-msg-server / sysv-msg-client --------------------------------------

Deno.test("sysv-msg: three concurrent clients each get only their own replies, --stop ends the server", async () => {
  const key = randomKey();
  using guard = new LeakGuard({ keys: [key] });
  await using server = start("sysv-msg-server", ["--key", hex(key)]);
  await server.waitFor("waiting for requests");
  const lines = (c: number) => Array.from({ length: 40 }, (_, i) => `client ${c} line ${i} çağ`);
  const results = await Promise.all(
    [1, 2, 3].map((c) =>
      run("sysv-msg-client", ["--key", hex(key)], { stdin: lines(c).join("\n") + "\n" })
    ),
  );
  results.forEach((r, i) => {
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    assert.equal(r.stdout, lines(i + 1).map((l) => `reply: ${l.toUpperCase()}\n`).join(""));
  });
  const stop = await run("sysv-msg-client", ["--key", hex(key), "--stop"]);
  assert.equal(stop.stdout, "stop request sent\n");
  assert.equal(stop.code, 0);
  const s = await server.finish();
  assert.equal(s.code, 0);
  assert.match(s.stdout, /stop request from pid \d+: removing the queue\n$/);
  assert.equal((s.stdout.match(/^request from pid/gm) ?? []).length, 120);
  guard.check();
});

Deno.test("sysv-msg-client without a server: a clear error naming the key, exit 1", async () => {
  const key = randomKey();
  const r = await run("sysv-msg-client", ["--key", hex(key)], { stdin: "hi\n" });
  assert.equal(
    r.stderr,
    `sysv-msg-client: no message queue with key 0x${
      key.toString(16).padStart(8, "0")
    }: start sysv-msg-server first\n`,
  );
  assert.equal(r.code, 1);
});

Deno.test("sysv-msg-server: a second server on the same key is refused (EEXIST), naming the running one", async () => {
  const key = randomKey();
  using guard = new LeakGuard({ keys: [key] });
  await using server = start("sysv-msg-server", ["--key", hex(key)]);
  await server.waitFor("waiting for requests");
  const second = await run("sysv-msg-server", ["--key", hex(key)]);
  assert.equal(
    second.stderr,
    `sysv-msg-server: a message queue with key ${key8(key)} already exists: sysv-msg-server ` +
      `pid ${server.pid} serves it (stop it first: deno task sysv-msg-client --stop --key ` +
      `${key8(key)})\n`,
  );
  assert.equal(second.code, 1);
  // The card went back: a third one is refused the same way, and the first still serves.
  const third = await run("sysv-msg-server", ["--key", hex(key)]);
  assert.match(third.stderr, new RegExp(`sysv-msg-server pid ${server.pid} serves it`));
  const c = await run("sysv-msg-client", ["--key", hex(key)], { stdin: "still there\n" });
  assert.equal(c.stdout, "reply: STILL THERE\n");
  server.kill("SIGTERM");
  assert.equal((await server.finish()).code, 143);
  guard.check();
});

Deno.test("sysv-msg-server: a queue with its key that holds no server card is left alone, with the command that removes it", async () => {
  const key = randomKey();
  using guard = new LeakGuard({ keys: [key] });
  const q = MessageQueue.create(key); // another program's queue
  const r = await run("sysv-msg-server", ["--key", hex(key)]);
  assert.equal(
    r.stderr,
    `sysv-msg-server: a message queue with key ${key8(key)} already exists, and no ` +
      `sysv-msg-server card is in it (another program's queue?): if nothing uses it, remove ` +
      `it: deno task ipcrm -Q ${key8(key)}\n`,
  );
  assert.equal(r.code, 1);
  assert.equal(q.stat().messages, 0); // untouched
  const ipcrm = await run("ipcrm", ["-Q", key8(key)]);
  assert.equal(ipcrm.code, 0, ipcrm.stderr);
  assert.equal(q.remove(), false); // the documented command removed it
  guard.check();
});

Deno.test("sysv-msg: --key 0 (IPC_PRIVATE) and keys over 32 bits are usage errors for both", async () => {
  for (const task of ["sysv-msg-server", "sysv-msg-client"] as const) {
    for (const [key, why] of [["0", /IPC_PRIVATE/], ["0x100000000", /32 bits/]] as const) {
      const r = await run(task, ["--key", key], { stdin: "hi\n" });
      assert.notEqual(r.code, 0, `${task} --key ${key}`);
      assert.equal(r.code, 1, `${task} --key ${key}`);
      assert.match(r.stderr, why);
      assert.match(r.stderr, new RegExp(`usage: ${task} \\[--key KEY\\]`));
      assert.equal(r.stdout, "");
    }
  }
});

Deno.test("sysv-msg: bad arguments print the usage, exit 1", async () => {
  for (
    const [task, args] of [
      ["sysv-msg-server", ["--key", "zz"]],
      ["sysv-msg-server", ["extra"]],
      ["sysv-msg-client", ["--timeout", "0"]],
      ["sysv-msg-client", ["--key"]],
    ] as const
  ) {
    const r = await run(task, [...args]);
    assert.equal(r.code, 1, `${task} ${args.join(" ")}`);
    assert.notEqual(r.stderr, "");
  }
});

for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  Deno.test(`sysv-msg-server: ${signal} while waiting removes the queue, exit ${code}`, async () => {
    const key = randomKey();
    using guard = new LeakGuard({ keys: [key] });
    await using server = start("sysv-msg-server", ["--key", hex(key)]);
    await server.waitFor("waiting for requests");
    server.kill(signal);
    const s = await server.finish();
    assert.equal(s.code, code);
    guard.check();
  });
}

Deno.test("sysv-msg: SIGKILL of the server mid-exchange: the client reports no reply, exit 1; the next server takes the queue over", async () => {
  const key = randomKey();
  using guard = new LeakGuard({ keys: [key] });
  await using server = start("sysv-msg-server", ["--key", hex(key)]);
  await server.waitFor("waiting for requests");
  const msqid = /msqid (\d+)/.exec(server.stdout)![1];
  await using client = start("sysv-msg-client", ["--key", hex(key), "--timeout", "1"]);
  await client.write("first\n");
  await client.waitFor("reply: FIRST\n");
  server.kill("SIGKILL");
  await server.finish();
  await client.write("second\n");
  const c = await client.finish();
  assert.equal(c.code, 1);
  assert.equal(
    c.stderr,
    "sysv-msg-client: no reply within 1 s: is sysv-msg-server still running?\n",
  );
  assert.equal(guard.leftovers().length, 1); // SIGKILL runs no cleanup: the queue stays
  // The next server finds the dead one's card, removes its queue (and the unanswered
  // "second" in it) and serves a fresh one.
  await using next = start("sysv-msg-server", ["--key", hex(key)]);
  await next.waitFor("waiting for requests");
  assert.equal(
    next.stderr,
    `sysv-msg-server: note: queue ${key8(key)} (msqid ${msqid}) was left by sysv-msg-server ` +
      `pid ${server.pid}, which is gone (killed?): removed it, with what was still in it\n`,
  );
  const again = await run("sysv-msg-client", ["--key", hex(key)], { stdin: "third\n" });
  assert.equal(again.stdout, "reply: THIRD\n");
  assert.equal((await run("sysv-msg-client", ["--key", hex(key), "--stop"])).code, 0);
  const n = await next.finish();
  assert.equal(n.code, 0);
  assert.doesNotMatch(n.stdout, /second/);
  guard.check();
});

Deno.test("sysv-msg: the queue removed under a waiting client is said in the client's terms", async () => {
  const key = randomKey();
  const q = MessageQueue.create(key); // a "server" that never answers
  try {
    await using client = start("sysv-msg-client", ["--key", hex(key)]);
    await client.write("anyone?\n");
    // Once the request is in the queue, the client is waiting for its reply.
    for (let i = 0; i < 6000 && q.stat().messages === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    q.remove();
    const c = await client.finish();
    assert.equal(c.code, 1);
    assert.match(
      c.stderr,
      new RegExp(
        `^sysv-msg-client: the server's queue ${key8(key)} was removed while waiting for a ` +
          `reply \\(msgrcv: (EIDRM|EINVAL)\\): the server ended\n$`,
      ),
    );
  } finally {
    q.remove();
  }
  new LeakGuard({ keys: [key] }).check();
});

// ---- sysv-msg: when the other side goes away (the page's table) ---------------

/** The pid of a process that has ended (and was reaped): a client that is gone. */
async function deadPid(): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  return child.pid;
}

Deno.test("sysv-msg: the server ended, or its queue removed from outside: each side says so in its own terms", async () => {
  // 1. The client waits at its next line; the server is Ctrl+C'd (it removes its queue).
  const clientAfterCtrlC = async () => {
    const key = randomKey();
    using guard = new LeakGuard({ keys: [key] });
    await using server = start("sysv-msg-server", ["--key", hex(key)]);
    await server.waitFor("waiting for requests");
    await using client = start("sysv-msg-client", ["--key", hex(key)]);
    await client.write("one\n");
    await client.waitFor("reply: ONE\n");
    server.kill("SIGINT");
    const s = await server.finish();
    assert.equal(s.code, 130);
    assert.equal(s.stderr, "");
    await client.write("two\n");
    const c = await client.finish();
    assert.equal(
      c.stderr,
      `sysv-msg-client: the server's queue ${
        key8(key)
      } is gone (msgsnd: EINVAL): the server ended\n`,
    );
    assert.equal(c.code, 1);
    guard.check();
  };
  // 2. The server waits for requests; an outside `ipcrm -Q` removes its queue.
  const serverAfterIpcrm = async () => {
    const key = randomKey();
    using guard = new LeakGuard({ keys: [key] });
    await using server = start("sysv-msg-server", ["--key", hex(key)]);
    await server.waitFor("waiting for requests");
    const msqid = /msqid (\d+)/.exec(server.stdout)![1];
    msgRemove(MessageQueue.open(key).id); // an outside `ipcrm -Q`
    const s = await server.finish();
    assert.match(
      s.stderr,
      new RegExp(
        `^sysv-msg-server: the queue ${key8(key)} \\(msqid ${msqid}\\) was removed from outside ` +
          `\\(ipcrm\\?\\) while waiting for requests \\(msgrcv: (EIDRM|EINVAL)\\): nothing left ` +
          `to serve\n$`,
      ),
    );
    assert.equal(s.code, 1);
    guard.check();
  };
  // 3. A client that is gone before its reply (killed after sending): the reply is dropped,
  //    not left in the queue for ever, and the server serves on.
  const clientGoneBeforeReply = async () => {
    const key = randomKey();
    using guard = new LeakGuard({ keys: [key] });
    await using server = start("sysv-msg-server", ["--key", hex(key)]);
    await server.waitFor("waiting for requests");
    const gone = await deadPid();
    const body = new Uint8Array(4 + 5);
    new DataView(body.buffer).setInt32(0, gone, true);
    body.set(encoder.encode("hello"), 4);
    msgsnd(MessageQueue.open(key).id, 1, body); // its request, as sysv-msg-client sends it
    await server.waitFor(`client ${gone} is gone: reply dropped\n`);
    const c = await run("sysv-msg-client", ["--key", hex(key)], { stdin: "next\n" });
    assert.equal(c.stdout, "reply: NEXT\n");
    assert.equal((await run("sysv-msg-client", ["--key", hex(key), "--stop"])).code, 0);
    const s = await server.finish();
    assert.equal(s.code, 0);
    assert.match(s.stdout, new RegExp(`request from pid ${gone}: hello\n`));
    guard.check();
  };
  await allOf(clientAfterCtrlC(), serverAfterIpcrm(), clientGoneBeforeReply());
});

// ---- lib/posix_mq.ts ------------------------------------------------------

Deno.test("mq_receive follows priorities; an empty O_NONBLOCK queue is EAGAIN", () => {
  const name = `/ipc-lab-test-${randomTag()}`;
  const guard = new LeakGuard({ tag: name.slice(1) });
  try {
    using q = PosixMessageQueue.create(name, {
      flags: O.RDWR | O.NONBLOCK,
      mode: 0o600,
      attr: { maxMessages: 8, messageSize: 32 },
    });
    const attr = q.attributes();
    assert.deepEqual(attr, {
      flags: O.NONBLOCK,
      maxMessages: 8,
      messageSize: 32,
      currentMessages: 0,
    });
    const e = expectLibcError(() => q.receive(q.attributes().messageSize), "mq_receive", "EAGAIN");
    assert.equal(e.errno, Errno.EAGAIN);
    for (const [p, t] of [[0, "a"], [9, "b"], [4, "c"], [9, "d"], [4, "e"]] as const) {
      q.send(encoder.encode(t), p);
    }
    const order = Array.from({ length: 5 }, () => {
      const m = q.receive(q.attributes().messageSize);
      return `${m.priority}:${decoder.decode(m.data)}`;
    });
    assert.deepEqual(order, ["9:b", "9:d", "4:c", "4:e", "0:a"]);
    expectLibcError(() => q.send(new Uint8Array(33)), "mq_send", "EMSGSIZE");
    for (let i = 0; i < 8; i++) q.send(new Uint8Array(1));
    expectLibcError(() => q.send(new Uint8Array(1)), "mq_send", "EAGAIN");
    q.close();
    q.close();
    assert.throws(() => q.mqd, /closed/);
  } finally {
    try {
      mqUnlink(name);
    } catch { /* already gone */ }
  }
  assertQueueGone(name);
  guard.check();
  expectLibcError(() => mqUnlink(name), "mq_unlink", "ENOENT");
  expectLibcError(
    () => PosixMessageQueue.open("no-slash", { flags: O.RDONLY }),
    "mq_open",
    "EINVAL",
  );
});

// ---- posix-mq-send / posix-mq-receive ---------------------------------------

Deno.test("posix-mq: messages sent before the receiver reads come out by priority (--drain)", async () => {
  const name = `/ipc-lab-mq-${randomTag()}`;
  const guard = new LeakGuard({ tag: name.slice(1) });
  try {
    await using receiver = start("posix-mq-receive", ["--name", name, "--drain"]);
    await receiver.waitFor("press ENTER to start receiving...\n");
    const sent = await run("posix-mq-send", ["--name", name, "--priority", "2"], {
      stdin: "1 low\n7 urgent\n3 normal\n7 urgent again\nno number\n",
    });
    assert.equal(sent.code, 0);
    assert.equal(
      sent.stdout,
      "sent with priority 1: low\nsent with priority 7: urgent\nsent with priority 3: normal\n" +
        "sent with priority 7: urgent again\nsent with priority 2: no number\n",
    );
    await receiver.write("\n");
    const r = await receiver.finish();
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      `posix-mq-receive: queue ${name} ready (maxmsg 10, msgsize 256)\n` +
        "press ENTER to start receiving...\n" +
        "5 messages waiting\n" +
        "priority 7: urgent\npriority 7: urgent again\npriority 3: normal\n" +
        "priority 2: no number\npriority 1: low\n" +
        "queue empty: mq_receive: EAGAIN (Resource temporarily unavailable)\n",
    );
    assertQueueGone(name);
    guard.check();
  } finally {
    try {
      mqUnlink(name);
    } catch { /* already gone */ }
  }
});

Deno.test("posix-mq: a waiting receiver gets messages as they come and stops at quit", async () => {
  const name = `/ipc-lab-mq-${randomTag()}`;
  try {
    await using receiver = start("posix-mq-receive", ["--name", name]);
    await receiver.waitFor("press ENTER");
    await receiver.write("\n");
    await receiver.waitFor("0 messages waiting\n");
    await using sender = start("posix-mq-send", ["--name", name]);
    const many = Array.from({ length: 30 }, (_, i) => `message ${i}`); // more than maxmsg
    await sender.write(many.join("\n") + "\nquit\n");
    await sender.closeStdin();
    assert.equal((await sender.finish()).code, 0);
    const r = await receiver.finish();
    assert.equal(r.code, 0);
    assert.ok(
      r.stdout.endsWith(many.map((m) => `priority 0: ${m}\n`).join("") + "priority 0: quit\n"),
      r.stdout,
    );
    assertQueueGone(name);
  } finally {
    try {
      mqUnlink(name);
    } catch { /* already gone */ }
  }
});

Deno.test("posix-mq-send without a receiver or with a bad name: clear errors, exit 1", async () => {
  const name = `/ipc-lab-mq-${randomTag()}`;
  const r = await run("posix-mq-send", ["--name", name], { stdin: "x\n" });
  assert.equal(r.stderr, `posix-mq-send: no queue ${name}: start posix-mq-receive first\n`);
  assert.equal(r.code, 1);
  const bad = await run("posix-mq-send", ["--name", "no-slash"]);
  assert.match(bad.stderr, /--name: a queue name is a slash and a name/);
  assert.equal(bad.code, 1);
  const prio = await run("posix-mq-send", ["--priority", "40000"]);
  assert.match(prio.stderr, /a priority is 0 \.\. 32767/);
  assert.equal(prio.code, 1);
  const extra = await run("posix-mq-receive", ["what"]);
  assert.match(extra.stderr, /usage: posix-mq-receive/);
  assert.equal(extra.code, 1);
});

for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  Deno.test(`posix-mq-receive: ${signal} while waiting unlinks the queue, exit ${code}`, async () => {
    const name = `/ipc-lab-mq-${randomTag()}`;
    const guard = new LeakGuard({ tag: name.slice(1) });
    try {
      await using receiver = start("posix-mq-receive", ["--name", name]);
      await receiver.waitFor("press ENTER");
      await receiver.write("\n");
      await receiver.waitFor("messages waiting\n"); // now in the receive loop
      receiver.kill(signal);
      assert.equal((await receiver.finish()).code, code);
      assertQueueGone(name);
      guard.check();
    } finally {
      try {
        mqUnlink(name);
      } catch { /* already gone */ }
    }
  });
}

// ---- posix-mq: when the other side goes away (the page's table) --------------

Deno.test("posix-mq: the receiver ended, killed, or its name removed: each side says so, or recovers", async () => {
  const unlinkQuietly = (name: string) => {
    try {
      mqUnlink(name);
    } catch { /* gone, as it should be */ }
  };
  const sendLine = async (sender: Started, line: string) => {
    await sender.write(`${line}\n`);
    await sender.waitFor(`sent with priority 0: ${line}\n`);
  };
  const removedText = (name: string) =>
    `posix-mq-send: the queue ${name} was removed (the receiver ended); nothing more can be ` +
    `delivered\n`;
  // 1. The sender waits at its next line; the receiver got quit and unlinked the queue.
  const senderAfterQuit = async () => {
    const name = `/ipc-lab-mq-${randomTag()}`;
    const guard = new LeakGuard({ tag: name.slice(1) });
    try {
      await using receiver = start("posix-mq-receive", ["--name", name]);
      await receiver.waitFor("press ENTER");
      await receiver.write("\n");
      await using sender = start("posix-mq-send", ["--name", name]);
      await sendLine(sender, "quit");
      assert.equal((await receiver.finish()).code, 0);
      await sender.write("anyone?\n");
      const s = await sender.finish();
      assert.equal(s.stderr, removedText(name));
      assert.equal(s.stdout, "sent with priority 0: quit\n");
      assert.equal(s.code, 1);
      guard.check();
    } finally {
      unlinkQuietly(name);
    }
  };
  // 2. The sender waits for room in a full queue; the receiver, still at its ENTER
  //    prompt, is Ctrl+C'd (it unlinks the queue): nobody will ever make room.
  const senderFullAfterCtrlC = async () => {
    const name = `/ipc-lab-mq-${randomTag()}`;
    const guard = new LeakGuard({ tag: name.slice(1) });
    try {
      await using receiver = start("posix-mq-receive", ["--name", name]);
      await receiver.waitFor("press ENTER");
      await using sender = start("posix-mq-send", ["--name", name]);
      for (let i = 0; i < 10; i++) await sendLine(sender, `m${i}`); // maxmsg 10: now full
      await sender.write("one too many\n");
      receiver.kill("SIGINT");
      assert.equal((await receiver.finish()).code, 130);
      const s = await sender.finish();
      assert.equal(s.stderr, removedText(name));
      assert.doesNotMatch(s.stdout, /one too many/);
      assert.equal(s.code, 1);
      guard.check();
    } finally {
      unlinkQuietly(name);
    }
  };
  // 3. The receiver is SIGKILLed while the sender waits for room: the name stays and the
  //    sender cannot tell (POSIX queues record no pid); the next receiver opens the same
  //    queue (O_CREAT), gets what was waiting, and the sender's wait ends.
  const senderFullAfterSigkill = async () => {
    const name = `/ipc-lab-mq-${randomTag()}`;
    const guard = new LeakGuard({ tag: name.slice(1) });
    try {
      await using killed = start("posix-mq-receive", ["--name", name]);
      await killed.waitFor("press ENTER");
      await using sender = start("posix-mq-send", ["--name", name]);
      for (let i = 0; i < 10; i++) await sendLine(sender, `m${i}`);
      await sender.write("m10\n"); // waits for room
      killed.kill("SIGKILL");
      await killed.finish();
      await using next = start("posix-mq-receive", ["--name", name]);
      await next.waitFor("press ENTER");
      await next.write("\n");
      await next.waitFor("priority 0: m9\n");
      await sender.waitFor("sent with priority 0: m10\n");
      await sendLine(sender, "quit");
      await sender.closeStdin();
      const [s, r] = [await sender.finish(), await next.finish()];
      assert.deepEqual([s.code, r.code], [0, 0], s.stderr + r.stderr);
      assert.equal(s.stderr, "");
      assert.match(r.stdout, /\n10 messages waiting\n/); // the 11th waits for room
      assert.ok(
        r.stdout.endsWith(
          Array.from({ length: 11 }, (_, i) => `priority 0: m${i}\n`).join("") +
            "priority 0: quit\n",
        ),
        r.stdout,
      );
      guard.check();
    } finally {
      unlinkQuietly(name);
    }
  };
  // 4. The receiver waits for messages; the name is removed from outside (another
  //    program's mq_unlink): no sender can reach it any more.
  const receiverAfterUnlink = async () => {
    const name = `/ipc-lab-mq-${randomTag()}`;
    const guard = new LeakGuard({ tag: name.slice(1) });
    try {
      await using receiver = start("posix-mq-receive", ["--name", name]);
      await receiver.waitFor("press ENTER");
      await receiver.write("\n");
      await receiver.waitFor("0 messages waiting\n");
      mqUnlink(name);
      const r = await receiver.finish();
      assert.equal(
        r.stderr,
        `posix-mq-receive: the queue ${name} was removed from outside (mq_unlink by another ` +
          `program, or rm /dev/mqueue${name}): no sender can reach it any more\n`,
      );
      assert.equal(r.code, 1);
      guard.check();
    } finally {
      unlinkQuietly(name);
    }
  };
  // 5. The sender is SIGKILLed (or Ctrl+C'd) while the receiver waits: the receiver waits
  //    on, and a new sender's quit ends it normally.
  const receiverAfterSenderKilled = async () => {
    const name = `/ipc-lab-mq-${randomTag()}`;
    const guard = new LeakGuard({ tag: name.slice(1) });
    try {
      await using receiver = start("posix-mq-receive", ["--name", name]);
      await receiver.waitFor("press ENTER");
      await receiver.write("\n");
      await using first = start("posix-mq-send", ["--name", name]);
      await sendLine(first, "before");
      await receiver.waitFor("priority 0: before\n");
      first.kill("SIGKILL");
      await first.finish();
      const second = await run("posix-mq-send", ["--name", name], { stdin: "quit\n" });
      assert.equal(second.code, 0);
      const r = await receiver.finish();
      assert.equal(r.code, 0);
      assert.equal(r.stderr, "");
      assert.ok(r.stdout.endsWith("priority 0: before\npriority 0: quit\n"), r.stdout);
      guard.check();
    } finally {
      unlinkQuietly(name);
    }
  };
  await allOf(
    senderAfterQuit(),
    senderFullAfterCtrlC(),
    senderFullAfterSigkill(),
    receiverAfterUnlink(),
    receiverAfterSenderKilled(),
  );
});
