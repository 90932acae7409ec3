/**
 * Paired tests of examples/msg-queues (SysV typed client/server, POSIX
 * priorities) plus unit tests of lib/sysv_msg.ts and lib/posix_mq.ts. Every
 * program runs as a real process; each test uses its own key or queue name.
 */
import assert from "node:assert/strict";
import { Errno, O } from "../lib/libc.ts";
import { IPC } from "../lib/sysv_ipc.ts";
import { MessageQueue, msgget, msgrcv, msgsnd, msgStat } from "../lib/sysv_msg.ts";
import { mqUnlink, PosixMessageQueue } from "../lib/posix_mq.ts";
import { randomKey, randomTag, run, start } from "./_helpers/run.ts";
import { LeakGuard, removeSysvByKey } from "./_helpers/leaks.ts";
import { expectLibcError } from "./_helpers/assert.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const hex = (key: number) => `0x${key.toString(16)}`;

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

Deno.test("sysv-msg-server: a second server on the same key is refused (EEXIST)", async () => {
  const key = randomKey();
  using guard = new LeakGuard({ keys: [key] });
  await using server = start("sysv-msg-server", ["--key", hex(key)]);
  await server.waitFor("waiting for requests");
  const second = await run("sysv-msg-server", ["--key", hex(key)]);
  assert.match(second.stderr, /already exists .*ipcrm -Q 0x/);
  assert.equal(second.code, 1);
  server.kill("SIGTERM");
  assert.equal((await server.finish()).code, 143);
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

Deno.test("sysv-msg: SIGKILL of the server mid-exchange: the client reports no reply, exit 1", async () => {
  const key = randomKey();
  try {
    await using server = start("sysv-msg-server", ["--key", hex(key)]);
    await server.waitFor("waiting for requests");
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
  } finally {
    removeSysvByKey([key]); // a killed server cannot remove its queue
  }
  new LeakGuard({ keys: [key] }).check();
});

Deno.test("sysv-msg: the queue removed under a waiting client is reported as EIDRM", async () => {
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
    assert.match(c.stderr, /the queue was removed while waiting for a reply \((EIDRM|EINVAL)\)/);
  } finally {
    q.remove();
  }
  new LeakGuard({ keys: [key] }).check();
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
