/**
 * Paired tests of examples/sockets (echo through FFI and through
 * Deno.listen, fd passing with SCM_RIGHTS) and unit tests of lib/socket.ts.
 * Every socket file lives in the test's own temp directory.
 */
import "./_helpers/bind_libc.ts"; // before anything calls libc: see the module
import assert from "node:assert/strict";
import { LibcError, O, openFile, pipe, read, unlinkIfExists, writeAll } from "../lib/libc.ts";
import {
  acceptAsync,
  bind,
  listen,
  receiveFds,
  sendFds,
  SOCK,
  sockaddrUn,
  socket,
  socketFileState,
  socketpair,
} from "../lib/socket.ts";
import { run, start, Started, tempDir } from "./_helpers/run.ts";
import { LeakGuard } from "./_helpers/leaks.ts";
import { ignoreIf, underEmulation } from "./_helpers/ignore.ts";

/** Why the MSG_CTRUNC tests cannot pass under qemu-user. */
const QEMU_CTRUNC = underEmulation(
  "qemu overwrites recvmsg's msg_flags, so MSG_CTRUNC never reaches the program",
);

const exists = (path: string) => {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
};

/** What a server says when it takes over the socket file of a dead one. */
const takingOver = (program: string, path: string) =>
  `${program}: ${path} was left by a server that is gone (nobody accepts on it); taking it over\n`;

/** Start `task` and SIGKILL it once it listens: its socket file stays, stale. */
async function killListening(task: string, cwd: string): Promise<void> {
  await using p = start(task, [], { cwd });
  await p.waitFor("listening on");
  p.kill("SIGKILL");
  assert.equal((await p.finish()).signal, "SIGKILL");
}

/**
 * A client that sends 8 MB and never reads a byte (a small deno process):
 * whatever the server echoes piles up unread.
 */
function startHog(path: string): Started {
  const code = `
    const conn = await Deno.connect({ transport: "unix", path: ${JSON.stringify(path)} });
    const chunk = new Uint8Array(65536).fill(120);
    for (let i = 0; i < 128; i++) await conn.write(chunk);`;
  return new Started("hog", { command: Deno.execPath(), args: ["eval", code], cwd: "/" });
}

/** A trace line (IPC_TRACE=1) saying that `connect` got through. */
const CONNECTED = /\] connect\(\d+, \{AF_UNIX, .*\}, 110\) = 0\n/;

// ---- lib/socket.ts ----------------------------------------------------------

Deno.test("socketpair + SCM_RIGHTS: a passed pipe end is the same pipe", () => {
  const [a, b] = socketpair();
  using _a = a;
  using _b = b;
  using p = pipe();
  assert.equal(sendFds(a.fd, new TextEncoder().encode("P"), [p.read.fd]), 1);
  const data = new Uint8Array(8);
  const got = receiveFds(b.fd, data, 2);
  assert.equal(got.bytes, 1);
  assert.equal(data[0], "P".charCodeAt(0));
  assert.equal(got.truncated, false);
  assert.equal(got.fds.length, 1);
  using received = got.fds[0];
  assert.notEqual(received.fd, p.read.fd); // a new number for the same open pipe
  writeAll(p.write.fd, new TextEncoder().encode("through the copy"));
  const buf = new Uint8Array(64);
  const n = read(received.fd, buf);
  assert.equal(new TextDecoder().decode(buf.subarray(0, n)), "through the copy");
});

const CTRUNC_LIB = "receiveFds with too little room reports MSG_CTRUNC; plain EOF has no fds";
Deno.test({ name: CTRUNC_LIB, ignore: ignoreIf(CTRUNC_LIB, QEMU_CTRUNC) }, () => {
  const [a, b] = socketpair();
  using _a = a;
  using _b = b;
  using p = pipe();
  sendFds(a.fd, new Uint8Array([1]), [p.read.fd, p.write.fd, p.read.fd, p.write.fd]);
  const got = receiveFds(b.fd, new Uint8Array(1), 1); // room for 2 ints (CMSG_SPACE rounds up)
  for (const f of got.fds) f.close();
  assert.equal(got.truncated, true);
  a.close();
  const eof = receiveFds(b.fd, new Uint8Array(1), 1);
  assert.deepEqual([eof.bytes, eof.fds.length], [0, 0]);
});

Deno.test("sockaddr_un: family 1 then the path; 108 bytes do not fit; bind names the path", async () => {
  const addr = sockaddrUn("/tmp/x.sock");
  assert.equal(addr.length, 110);
  assert.equal(new DataView(addr.buffer).getUint16(0, true), SOCK.AF_UNIX);
  assert.equal(new TextDecoder().decode(addr.subarray(2, 13)), "/tmp/x.sock");
  assert.equal(addr[13], 0);
  assert.doesNotThrow(() => sockaddrUn("/" + "x".repeat(106)));
  assert.throws(() => sockaddrUn("/" + "x".repeat(107)), /too long for sockaddr_un/);
  await using dir = await tempDir();
  using s = socket();
  bind(s.fd, `${dir.path}/a.sock`);
  using s2 = socket();
  try {
    bind(s2.fd, `${dir.path}/a.sock`);
    assert.fail("bind twice succeeded");
  } catch (e) {
    assert.ok(e instanceof LibcError);
    assert.equal(e.message, `bind ${dir.path}/a.sock: EADDRINUSE (Address already in use)`);
  }
  Deno.removeSync(`${dir.path}/a.sock`);
});

// ---- echo-server / echo-server-deno / echo-client ---------------------------

for (const server of ["echo-server", "echo-server-deno"] as const) {
  Deno.test(`${server}: four concurrent clients, 100 lines each, all echoed; socket removed`, async () => {
    await using dir = await tempDir();
    const guard = new LeakGuard({ dir: dir.path });
    await using s = start(server, ["--clients", "4"], { cwd: dir.path });
    await s.waitFor(`echo-server: listening on ${dir.path}/echo.sock\n`);
    const lines = (c: number) =>
      Array.from({ length: 100 }, (_, i) => `client ${c} says ${i} ${"ş".repeat(i % 7)}`);
    const results = await Promise.all(
      [1, 2, 3, 4].map((c) =>
        run("echo-client", [], { cwd: dir.path, stdin: lines(c).join("\n") + "\n" })
      ),
    );
    results.forEach((r, i) => {
      assert.equal(r.stderr, "");
      assert.equal(r.code, 0);
      assert.equal(r.stdout, lines(i + 1).map((l) => `echo: ${l}\n`).join(""));
    });
    const done = await s.finish();
    assert.equal(done.code, 0, done.stderr);
    for (let c = 1; c <= 4; c++) {
      assert.match(done.stdout, new RegExp(`^client ${c} connected$`, "m"));
      assert.match(done.stdout, new RegExp(`^client ${c} disconnected$`, "m"));
    }
    assert.equal(exists(`${dir.path}/echo.sock`), false);
    guard.check();
  });

  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    Deno.test(`${server}: ${signal} while waiting for clients removes the socket, exit ${code}`, async () => {
      await using dir = await tempDir();
      const guard = new LeakGuard({ dir: dir.path });
      await using s = start(server, [], { cwd: dir.path });
      await s.waitFor("listening on");
      assert.equal(exists(`${dir.path}/echo.sock`), true);
      s.kill(signal);
      assert.equal((await s.finish()).code, code);
      guard.check();
    });
  }

  Deno.test(`${server}: a socket file already there is refused with a clear error`, async () => {
    await using dir = await tempDir();
    await Deno.writeTextFile(`${dir.path}/echo.sock`, "not a socket");
    const r = await run(server, [], { cwd: dir.path });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `${server}: ${dir.path}/echo.sock already exists and is a regular file, not a socket: ` +
        "not removing it (remove it yourself or choose another --path)\n",
    );
    assert.equal(await Deno.readTextFile(`${dir.path}/echo.sock`), "not a socket");
  });

  Deno.test(`${server}: takes over the socket file of a SIGKILLed server, and removes it`, async () => {
    await using dir = await tempDir();
    const guard = new LeakGuard({ dir: dir.path });
    const path = `${dir.path}/echo.sock`;
    await killListening(server, dir.path);
    assert.equal(exists(path), true); // SIGKILL runs no cleanup: the file stays
    assert.equal(socketFileState(path), "stale");
    await using s = start(server, ["--clients", "1"], { cwd: dir.path });
    await s.waitFor(`echo-server: listening on ${path}\n`);
    const r = await run("echo-client", [], { cwd: dir.path, stdin: "after the takeover\n" });
    assert.equal(r.stdout, "echo: after the takeover\n");
    assert.equal(r.code, 0);
    const done = await s.finish();
    assert.equal(done.code, 0);
    assert.equal(done.stderr, takingOver(server, path));
    guard.check();
  });

  Deno.test(`${server}: a live server's socket is refused; that server goes on`, async () => {
    await using dir = await tempDir();
    const guard = new LeakGuard({ dir: dir.path });
    const path = `${dir.path}/echo.sock`;
    await using live = start(server, [], { cwd: dir.path });
    await live.waitFor("listening on");
    const second = await run(server, [], { cwd: dir.path });
    assert.equal(second.code, 1);
    assert.equal(
      second.stderr,
      `${server}: ${path} already exists and a server accepts connections on it: ` +
        "is another echo server running?\n",
    );
    assert.equal(second.stdout, "");
    assert.equal(socketFileState(path), "live");
    const r = await run("echo-client", [], { cwd: dir.path, stdin: "still mine\n" });
    assert.equal(r.stdout, "echo: still mine\n");
    live.kill("SIGINT");
    const done = await live.finish();
    assert.equal(done.code, 130);
    assert.equal(done.stderr, "");
    guard.check();
  });
}

Deno.test("echo-client: no server (ENOENT) and a stale socket file (ECONNREFUSED) are named", async () => {
  await using dir = await tempDir();
  const r = await run("echo-client", [], { cwd: dir.path, stdin: "x\n" });
  assert.equal(
    r.stderr,
    `echo-client: no echo server at ${dir.path}/echo.sock (ENOENT): start echo-server first\n`,
  );
  assert.equal(r.code, 1);
  {
    using stale = socket();
    bind(stale.fd, `${dir.path}/echo.sock`); // bound, never listening, then closed
  }
  const r2 = await run("echo-client", [], { cwd: dir.path, stdin: "x\n" });
  assert.match(r2.stderr, /no echo server at .*echo\.sock \(ECONNREFUSED\)/);
  assert.equal(r2.code, 1);
  const bad = await run("echo-client", ["--path", `/${"d".repeat(120)}`]);
  assert.match(bad.stderr, /too long for a Unix socket address/);
  assert.equal(bad.code, 1);
  const extra = await run("echo-server", ["--clients", "0"]);
  assert.match(extra.stderr, /--clients: must be a positive number/);
  assert.equal(extra.code, 1);
});

Deno.test("echo: SIGKILL of the server while the client waits for a line: reported on the next; then ECONNREFUSED", async () => {
  await using dir = await tempDir();
  await using s = start("echo-server", [], { cwd: dir.path });
  await s.waitFor("listening on");
  await using c = start("echo-client", [], { cwd: dir.path });
  await c.write("one\n");
  await c.waitFor("echo: one\n");
  s.kill("SIGKILL");
  await s.finish();
  await c.write("two\n");
  const r = await c.finish();
  assert.equal(r.code, 1);
  // Its socket is gone: the line cannot be sent (EPIPE, no SIGPIPE in Deno).
  assert.match(r.stderr, /^echo-client: the server closed the connection \(EPIPE\)\n$/);
  // A killed server cannot unlink its socket: the file stays, stale.
  assert.equal(exists(`${dir.path}/echo.sock`), true);
  const next = await run("echo-client", [], { cwd: dir.path, stdin: "anyone?\n" });
  assert.equal(
    next.stderr,
    `echo-client: no echo server at ${dir.path}/echo.sock (ECONNREFUSED): start echo-server first\n`,
  );
  assert.equal(next.code, 1);
});

Deno.test("echo-client: the server SIGKILLed while the client waits for the echo: ECONNRESET, exit 1", async () => {
  await using dir = await tempDir();
  await using s = start("echo-server", [], { cwd: dir.path });
  await s.waitFor("listening on");
  s.kill("SIGSTOP"); // it takes no more turns: the line below stays unanswered
  await using c = start("echo-client", [], { cwd: dir.path, env: { IPC_TRACE: "1" } });
  await c.write("unanswered\n");
  await c.waitFor(/\] write\(\d+, <11 bytes>\) = 11\n/, "stderr"); // the line went out
  s.kill("SIGKILL");
  await s.finish();
  const r = await c.finish();
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^echo-client: the server closed the connection \(ECONNRESET\)\n$/m);
  assert.doesNotMatch(r.stderr, /^echo-client: (read|write|recvmsg)/m);
});

Deno.test("echo-server: a client that sends 8 MB and never reads stalls only itself; SIGKILL of it, Ctrl+C", async () => {
  await using dir = await tempDir();
  const guard = new LeakGuard({ dir: dir.path });
  const path = `${dir.path}/echo.sock`;
  await using s = start("echo-server", [], { cwd: dir.path });
  await s.waitFor("listening on");
  // Client 1 fills the server's socket to it: its echo waits in the server.
  await using hog = startHog(path);
  await s.waitFor("client 1 is not reading its echo: it waits, the others go on\n");
  // Meanwhile another client is served.
  const r2 = await run("echo-client", [], { cwd: dir.path, stdin: "still served\n" });
  assert.equal(r2.stdout, "echo: still served\n");
  await s.waitFor("client 2 disconnected\n");
  // The stuck client SIGKILLed mid-exchange: its slot is closed, the server goes on.
  hog.kill("SIGKILL");
  await hog.finish();
  await s.waitFor("client 1 disconnected\n");
  // A second stuck client, and Ctrl+C while the server holds its echo.
  await using hog2 = startHog(path);
  await s.waitFor("client 3 is not reading its echo: it waits, the others go on\n");
  s.kill("SIGINT");
  const done = await s.finish();
  assert.equal(done.code, 130);
  assert.equal(done.stderr, "");
  assert.equal(exists(path), false);
  hog2.kill("SIGKILL");
  await hog2.finish();
  guard.check();
});

for (const server of ["echo-server", "echo-server-deno"] as const) {
  Deno.test(`${server}: SIGKILL of one client: the server notes it and serves the next`, async () => {
    await using dir = await tempDir();
    const guard = new LeakGuard({ dir: dir.path });
    await using s = start(server, ["--clients", "2"], { cwd: dir.path });
    await s.waitFor("listening on");
    await using c1 = start("echo-client", [], { cwd: dir.path });
    await c1.write("hello\n");
    await c1.waitFor("echo: hello\n");
    c1.kill("SIGKILL");
    await c1.finish();
    await s.waitFor("client 1 disconnected\n");
    const r = await run("echo-client", [], { cwd: dir.path, stdin: "still here\n" });
    assert.equal(r.stdout, "echo: still here\n");
    assert.equal((await s.finish()).code, 0);
    guard.check();
  });
}

// ---- fd-pass-sender / fd-pass-receiver --------------------------------------

Deno.test("fd passing: the receiver reads a deleted file it could not open itself", async () => {
  await using dir = await tempDir();
  const content = `secret ${crypto.randomUUID()}\nsecond line çğ\n`;
  await Deno.writeTextFile(`${dir.path}/secret.txt`, content);
  const guard = new LeakGuard({ dir: dir.path });
  await using sender = start("fd-pass-sender", ["--file", "secret.txt", "--unlink"], {
    cwd: dir.path,
  });
  await sender.waitFor(/passing fd \d+: .*secret\.txt, now deleted\n/);
  assert.equal(exists(`${dir.path}/secret.txt`), false); // no name leads to it any more
  const r = await run("fd-pass-receiver", [], { cwd: dir.path });
  assert.equal(r.stderr, "");
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^received fd \d+\n/);
  assert.equal(r.stdout.replace(/^received fd \d+\n/, ""), content);
  const s = await sender.finish();
  assert.equal(s.code, 0);
  assert.match(s.stdout, /passed fd \d+ to receiver 1\n$/);
  // guard: secret.txt was there at the start and was deleted on purpose
  assert.deepEqual(guard.leftovers(), [`${dir.path}/secret.txt (removed, was there before)`]);
});

Deno.test("fd passing: by default an unnamed O_TMPFILE; two receivers share one offset", async () => {
  await using dir = await tempDir();
  const guard = new LeakGuard({ dir: dir.path });
  await using sender = start("fd-pass-sender", ["--clients", "2"], { cwd: dir.path });
  await sender.waitFor("an unnamed file (O_TMPFILE)\n");
  const first = await run("fd-pass-receiver", [], { cwd: dir.path });
  assert.equal(first.code, 0);
  assert.match(
    first.stdout,
    /^received fd \d+\nThis file has no name: only the descriptor you were passed leads to it\.\n$/,
  );
  const second = await run("fd-pass-receiver", [], { cwd: dir.path });
  assert.equal(second.code, 0);
  assert.match(second.stdout, /^received fd \d+\n$/); // the offset is already at the end
  assert.equal((await sender.finish()).code, 0);
  guard.check();
});

Deno.test("fd passing: errors and signals (no sender, stale socket, bad args, SIGINT/SIGTERM)", async () => {
  await using dir = await tempDir();
  const none = await run("fd-pass-receiver", [], { cwd: dir.path });
  assert.equal(
    none.stderr,
    `fd-pass-receiver: no sender at ${dir.path}/fd-pass.sock (ENOENT): start fd-pass-sender first\n`,
  );
  assert.equal(none.code, 1);
  const missing = await run("fd-pass-sender", ["--file", "nope.txt"], { cwd: dir.path });
  assert.equal(
    missing.stderr,
    `fd-pass-sender: open ${dir.path}/nope.txt: ENOENT (No such file or directory)\n`,
  );
  assert.equal(missing.code, 1);
  const usage = await run("fd-pass-sender", ["--unlink"], { cwd: dir.path });
  assert.match(usage.stderr, /^usage: fd-pass-sender/);
  assert.equal(usage.code, 1);

  const guard = new LeakGuard({ dir: dir.path });
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    await using sender = start("fd-pass-sender", [], { cwd: dir.path });
    await sender.waitFor("listening on");
    sender.kill(signal);
    assert.equal((await sender.finish()).code, code);
  }
  guard.check();

  // SIGKILL: the socket file stays behind, and a receiver is told clearly.
  await using killed = start("fd-pass-sender", [], { cwd: dir.path });
  await killed.waitFor("listening on");
  killed.kill("SIGKILL");
  await killed.finish();
  const stale = await run("fd-pass-receiver", [], { cwd: dir.path });
  assert.match(stale.stderr, /no sender at .*fd-pass\.sock \(ECONNREFUSED\)/);
  assert.equal(stale.code, 1);
});

Deno.test("fd passing: a sender killed after accepting: the receiver reports EOF, exit 1", async () => {
  // A stand-in sender that accepts and closes without sending anything.
  await using dir = await tempDir();
  const path = `${dir.path}/fd-pass.sock`;
  const listener = Deno.listen({ transport: "unix", path });
  try {
    const receiver = start("fd-pass-receiver", [], { cwd: dir.path });
    const conn = await listener.accept();
    conn.close();
    const r = await receiver.finish();
    assert.equal(
      r.stderr,
      "fd-pass-receiver: the sender closed the connection without passing a descriptor\n",
    );
    assert.equal(r.code, 1);
  } finally {
    listener.close(); // Deno 2.9 unlinks the socket file on close
  }
});

Deno.test("openFile O_RDONLY descriptors pass with their access mode", () => {
  const [a, b] = socketpair();
  using _a = a;
  using _b = b;
  using f = openFile("/proc/self/status", O.RDONLY);
  sendFds(a.fd, new Uint8Array([0]), [f.fd]);
  const got = receiveFds(b.fd, new Uint8Array(1));
  using g = got.fds[0];
  const buf = new Uint8Array(5);
  assert.equal(read(g.fd, buf), 5);
  assert.equal(new TextDecoder().decode(buf), "Name:");
  assert.throws(() => writeAll(g.fd, buf), /EBADF/);
});

Deno.test("fd-pass-sender: takes over the socket file of a SIGKILLed sender; refuses a live one and a regular file", async () => {
  await using dir = await tempDir();
  const guard = new LeakGuard({ dir: dir.path });
  const path = `${dir.path}/fd-pass.sock`;
  await killListening("fd-pass-sender", dir.path);
  assert.equal(socketFileState(path), "stale");
  await using taker = start("fd-pass-sender", ["--clients", "3"], { cwd: dir.path });
  await taker.waitFor("an unnamed file (O_TMPFILE)\n");
  // A second sender while this one lives: refused, the socket is not touched.
  // (Its probe connection is a receiver to the live sender.)
  const second = await run("fd-pass-sender", [], { cwd: dir.path });
  assert.equal(second.code, 1);
  assert.equal(
    second.stderr,
    `fd-pass-sender: ${path} already exists and a server accepts connections on it: ` +
      "is another fd-pass-sender running?\n",
  );
  const r = await run("fd-pass-receiver", [], { cwd: dir.path });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^received fd \d+\nThis file has no name/);
  taker.kill("SIGINT");
  const done = await taker.finish();
  assert.equal(done.code, 130);
  assert.match(done.stderr, new RegExp(`^${RegExp.escape(takingOver("fd-pass-sender", path))}`));
  guard.check();
  // A regular file at the path is refused and left alone.
  await Deno.writeTextFile(path, "mine");
  const regular = await run("fd-pass-sender", [], { cwd: dir.path });
  assert.equal(regular.code, 1);
  assert.equal(
    regular.stderr,
    `fd-pass-sender: ${path} already exists and is a regular file, not a socket: ` +
      "not removing it (remove it yourself or choose another --path)\n",
  );
  assert.equal(await Deno.readTextFile(path), "mine");
});

Deno.test("fd-pass-receiver: the sender SIGKILLed before it passed anything: said in its terms, exit 1", async () => {
  await using dir = await tempDir();
  await using sender = start("fd-pass-sender", [], { cwd: dir.path });
  await sender.waitFor("listening on");
  sender.kill("SIGSTOP"); // it accepts nobody now: the receiver waits in its backlog
  await using receiver = start("fd-pass-receiver", [], {
    cwd: dir.path,
    env: { IPC_TRACE: "1" },
  });
  await receiver.waitFor(CONNECTED, "stderr");
  sender.kill("SIGKILL");
  await sender.finish();
  const r = await receiver.finish();
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.match(
    r.stderr,
    /^fd-pass-receiver: the sender went away before passing a descriptor \(recvmsg: ECONNRESET\)\n$/m,
  );
});

Deno.test("fd-pass-sender: a receiver SIGKILLed before its descriptor was sent is skipped; the next gets it", async () => {
  await using dir = await tempDir();
  const guard = new LeakGuard({ dir: dir.path });
  await using sender = start("fd-pass-sender", [], { cwd: dir.path });
  await sender.waitFor("an unnamed file (O_TMPFILE)\n");
  sender.kill("SIGSTOP"); // the receiver below connects, but is not accepted yet
  {
    await using doomed = start("fd-pass-receiver", [], { cwd: dir.path, env: { IPC_TRACE: "1" } });
    await doomed.waitFor(CONNECTED, "stderr");
    doomed.kill("SIGKILL");
    assert.equal((await doomed.finish()).signal, "SIGKILL");
  }
  sender.kill("SIGCONT");
  await sender.waitFor(
    "fd-pass-sender: receiver 1 went away before its descriptor was sent (sendmsg: EPIPE); " +
      "waiting for the next one\n",
    "stderr",
  );
  const r = await run("fd-pass-receiver", [], { cwd: dir.path });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^received fd \d+\nThis file has no name/);
  const done = await sender.finish();
  assert.equal(done.code, 0);
  assert.match(done.stdout, /\npassed fd \d+ to receiver 2\n$/);
  guard.check();
});

const CTRUNC_RECEIVER =
  "fd-pass-receiver: a second passed descriptor is said and closed; too many for its room: MSG_CTRUNC said";
Deno.test({ name: CTRUNC_RECEIVER, ignore: ignoreIf(CTRUNC_RECEIVER, QEMU_CTRUNC) }, async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/fd-pass.sock`;
  await Deno.writeTextFile(`${dir.path}/first.txt`, "the first file\n");
  await Deno.writeTextFile(`${dir.path}/second.txt`, "the second file\n");
  // The test is the sender: it passes several descriptors in one sendmsg.
  using server = socket({ nonblock: true });
  bind(server.fd, path);
  try {
    listen(server.fd, 4);
    const cases: Array<[number, string]> = [
      [2, "the sender passed 2 descriptors; reading the first, closing the other 1"],
      [
        20,
        "the sender passed more descriptors than the 16 there was room for " +
        "(MSG_CTRUNC: the kernel closed the rest); reading the first, closing the other 15",
      ],
    ];
    for (const [count, said] of cases) {
      await using receiver = start("fd-pass-receiver", [], { cwd: dir.path });
      using conn = (await acceptAsync(server.fd))!;
      using first = openFile(`${dir.path}/first.txt`, O.RDONLY);
      using second = openFile(`${dir.path}/second.txt`, O.RDONLY);
      const fds = [first.fd, ...Array(count - 1).fill(second.fd)];
      assert.equal(sendFds(conn.fd, new TextEncoder().encode("F"), fds), 1);
      const r = await receiver.finish();
      assert.equal(r.stderr, `fd-pass-receiver: ${said}\n`);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^received fd \d+\nthe first file\n$/);
    }
  } finally {
    unlinkIfExists(path);
  }
});
