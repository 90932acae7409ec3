/**
 * Tests of examples/fifo and lib/fifo.ts: writefifo/readfifo and the FIFO
 * client/server run as real processes (the same command lines as their
 * deno tasks), each in its own temp directory, which must be empty (or as
 * it was) at the end.
 */
import "./_helpers/bind_libc.ts"; // before anything calls libc: see the module
import assert from "node:assert/strict";
import { ROOT, run, start, type Started, taskArgs, tempDir } from "./_helpers/run.ts";
import { LeakGuard } from "./_helpers/leaks.ts";
import { ignoreIf, missingTool, notRoot } from "./_helpers/ignore.ts";
import {
  Errno,
  fileType,
  fstat,
  LibcError,
  LineSplitter,
  mkfifo,
  NotAFifoError,
  O,
  openFile,
  POLL,
  pollAsync,
  pollMany,
  read,
  unlink,
  write,
  writeAll,
} from "../lib/libc.ts";

const encoder = new TextEncoder();

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- lib/fifo.ts

Deno.test("poll on a FIFO: nothing until a writer writes or hangs up; read says 0 before", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/probe`;
  mkfifo(path, 0o600);
  try {
    // O_NONBLOCK: returns at once
    using reader = openFile(path, O.RDONLY | O.NONBLOCK | O.CLOEXEC);
    // No writer has ever opened it: poll reports nothing...
    assert.deepEqual(pollMany([{ fd: reader.fd, events: POLL.IN }], 0), [0]);
    // ...but read returns 0, a false end of file: never read before poll.
    assert.equal(read(reader.fd, new Uint8Array(8)), 0);
    using writer = openFile(path, O.WRONLY | O.NONBLOCK | O.CLOEXEC);
    // A writer that has not written is not reported either.
    assert.deepEqual(pollMany([{ fd: reader.fd, events: POLL.IN }], 0), [0]);
    writeAll(writer.fd, encoder.encode("hi"));
    assert.deepEqual(await pollAsync([{ fd: reader.fd, events: POLL.IN }]), [POLL.IN]);
    writer.close();
    assert.equal(
      pollMany([{ fd: reader.fd, events: POLL.IN }], 0)[0],
      POLL.IN | POLL.HUP,
    );
  } finally {
    unlink(path);
  }
});

Deno.test("open(O_WRONLY|O_NONBLOCK) of a FIFO: ENXIO until a reader opens it", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/f`;
  mkfifo(path, 0o600);
  try {
    assert.throws(
      () => openFile(path, O.WRONLY | O.NONBLOCK | O.CLOEXEC),
      (e) =>
        e instanceof LibcError && e.errno === Errno.ENXIO &&
        e.message === `open ${path}: ENXIO (No such device or address)`,
    );
    using reader = openFile(path, O.RDONLY | O.NONBLOCK | O.CLOEXEC); // the reader arrives
    using writer = openFile(path, O.WRONLY | O.NONBLOCK | O.CLOEXEC);
    // The reader side of that FIFO: a write reaches it.
    writeAll(writer.fd, encoder.encode("x"));
    assert.equal(read(reader.fd, new Uint8Array(4)), 1);
  } finally {
    unlink(path);
  }
});

Deno.test("pollAsync: gives up after its timeout with all 0; -1 waits for an event", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/f`;
  mkfifo(path, 0o600);
  try {
    using reader = openFile(path, O.RDONLY | O.NONBLOCK | O.CLOEXEC);
    assert.deepEqual(await pollAsync([{ fd: reader.fd, events: POLL.IN }], 0), [0]);
    using writer = openFile(path, O.WRONLY | O.NONBLOCK | O.CLOEXEC);
    // Both at once, as C's poll(fds, 2, -1): the writer has room, the reader nothing yet.
    assert.deepEqual(
      await pollAsync([{ fd: reader.fd, events: POLL.IN }, { fd: writer.fd, events: POLL.OUT }]),
      [0, POLL.OUT],
    );
    reader.close();
    // No reader left: POLLERR on the write end, reported though not asked for.
    assert.deepEqual(await pollAsync([{ fd: writer.fd, events: 0 }]), [POLL.ERR]);
  } finally {
    unlink(path);
  }
});

Deno.test("mkfifo: creates; existOk accepts what is there (EEXIST); fstat tells a FIFO from the rest", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/f`;
  assert.equal(mkfifo(path, 0o644, { existOk: true }), true);
  assert.equal(fileType(path), "fifo");
  assert.equal(Deno.lstatSync(path).mode! & 0o777, 0o644 & ~Deno.umask());
  assert.equal(mkfifo(path, 0o644, { existOk: true }), false);
  assert.throws(
    () => mkfifo(path, 0o644),
    new RegExp(`^LibcError: mkfifo ${path}: EEXIST \\(File exists\\)$`),
  );
  {
    using fifo = openFile(path, O.RDONLY | O.NONBLOCK | O.CLOEXEC);
    assert.equal(fstat(fifo.fd).type, "fifo");
  }
  unlink(path);
  await Deno.writeTextFile(`${dir.path}/file`, "data");
  assert.equal(mkfifo(`${dir.path}/file`, 0o644, { existOk: true }), false);
  {
    // What readfifo does with it: open, then fstat says it is no FIFO.
    using file = openFile(`${dir.path}/file`, O.RDONLY | O.NONBLOCK | O.CLOEXEC);
    const type = fstat(file.fd).type;
    assert.equal(type, "regular file");
    const e = new NotAFifoError(`${dir.path}/file`, type);
    assert.equal(
      e.message,
      `${dir.path}/file exists and is a regular file, not a FIFO (mkfifo: EEXIST)`,
    );
    assert.equal(e.type, "regular file");
  }
  assert.equal(mkfifo(dir.path, 0o644, { existOk: true }), false);
  {
    using d = openFile(dir.path, O.RDONLY | O.NONBLOCK | O.CLOEXEC);
    assert.match(
      new NotAFifoError(dir.path, fstat(d.fd).type).message,
      /is a directory, not a FIFO/,
    );
  }
  assert.throws(
    () => mkfifo(`${dir.path}/missing/f`, 0o644, { existOk: true }),
    new RegExp(`^LibcError: mkfifo ${dir.path}/missing/f: ENOENT \\(No such file or directory\\)$`),
  );
  assert.equal(await Deno.readTextFile(`${dir.path}/file`), "data");
  await Deno.remove(`${dir.path}/file`);
});

Deno.test("LineSplitter with NUL and newline as terminators: C strings and lines", () => {
  const s = new LineSplitter(Infinity, [0, 10]);
  s.push(encoder.encode("hello\0world\0\0quit\nhal"));
  assert.deepEqual([s.next()?.text, s.next()?.text, s.next()?.text, s.next()?.text], [
    "hello",
    "world",
    "",
    "quit",
  ]);
  assert.equal(s.next(), undefined);
  s.push(encoder.encode("f"));
  assert.equal(s.end()?.text, "half"); // a C writer's unterminated line
});

Deno.test("LineSplitter: merged lines are split, split lines are joined, long ones dropped", () => {
  const s = new LineSplitter(8);
  s.push(encoder.encode("helloworld\n".slice(0, 3)));
  assert.equal(s.next(), undefined);
  s.push(encoder.encode("lo\nworld\nqu"));
  assert.deepEqual(s.next(), { text: "hello", oversized: false, bytes: 5 });
  assert.deepEqual(s.next(), { text: "world", oversized: false, bytes: 5 });
  assert.equal(s.next(), undefined);
  s.push(encoder.encode("it\n0123456789"));
  assert.equal(s.next()?.text, "quit");
  assert.equal(s.next(), undefined); // 10 bytes pending, no newline: skipping starts
  s.push(encoder.encode("abc\nok\nçay"));
  assert.deepEqual(s.next(), { text: "", oversized: true, bytes: 13 });
  assert.equal(s.next()?.text, "ok");
  assert.equal(s.next(), undefined);
  assert.deepEqual(s.end(), { text: "çay", oversized: false, bytes: 4 });
  assert.equal(s.end(), undefined);
});

// ------------------------------------------------------- writefifo / readfifo

const LINES = Array.from({ length: 1000 }, (_, i) => `line ${i + 1}: ${"x".repeat(i % 50)}`);

async function exchange(order: "reader first" | "writer first") {
  await using dir = await tempDir();
  const guard = new LeakGuard({ dir: dir.path });
  let reader: Started | undefined;
  let writer: Started | undefined;
  try {
    if (order === "reader first") {
      reader = start("readfifo", [], { cwd: dir.path });
      await reader.waitFor("readfifo: waiting for a writer", "stderr");
      writer = start("writefifo", [], { cwd: dir.path });
    } else {
      writer = start("writefifo", [], { cwd: dir.path });
      await writer.waitFor("writefifo: waiting for a reader", "stderr");
      reader = start("readfifo", [], { cwd: dir.path });
    }
    // All 1,000 lines at once, as fast as the pipe to writefifo takes them.
    await writer.write(LINES.join("\n") + "\nquit\n");
    const w = await writer.finish();
    const r = await reader.finish();
    assert.equal(r.stdout, LINES.join("\n") + "\n", "complete, in order, one per line");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(w.stdout, "text:".repeat(LINES.length + 1));
    assert.equal(w.code, 0, w.stderr);
    const path = `${dir.path}/testfifo`;
    if (order === "reader first") {
      assert.equal(
        r.stderr,
        `readfifo: created FIFO ${path} (mode 0644)\nreadfifo: waiting for a writer on ${path}\n` +
          `readfifo: both ends are open; removed ${path}\n`,
      );
      assert.equal(w.stderr, "");
    } else {
      assert.equal(
        w.stderr,
        `writefifo: created FIFO ${path} (mode 0644)\nwritefifo: waiting for a reader to open ` +
          `${path}\nwritefifo: both ends are open; removed ${path}\n`,
      );
      // readfifo says it waits only when its first poll slice found nothing yet
      // (the writer retries its open every 50 ms): either is right here.
      assert.ok(
        ["", `readfifo: waiting for a writer on ${path}\n`].includes(r.stderr),
        r.stderr,
      );
    }
    guard.check();
  } finally {
    await reader?.[Symbol.asyncDispose]();
    await writer?.[Symbol.asyncDispose]();
  }
}

Deno.test("writefifo → readfifo: 1,000 fast lines arrive complete, in order (reader first)", () =>
  exchange("reader first"));

Deno.test("writefifo → readfifo: 1,000 fast lines arrive complete, in order (writer first)", () =>
  exchange("writer first"));

Deno.test("writefifo: end of input sends quit; a last line without newline still goes", async () => {
  await using dir = await tempDir();
  const guard = new LeakGuard({ dir: dir.path });
  await using reader = start("readfifo", [], { cwd: dir.path });
  await reader.waitFor("waiting for a writer", "stderr");
  const w = await run("writefifo", [], { cwd: dir.path, stdin: "first\nlast without newline" });
  const r = await reader.finish();
  assert.equal(w.code, 0, w.stderr);
  assert.equal(w.stdout, "text:text:text:");
  assert.equal(r.stdout, "first\nlast without newline\n");
  assert.equal(r.code, 0, r.stderr);
  guard.check();
});

Deno.test("readfifo splits what one read returns: the C original's 'helloworld'", async () => {
  // A shell writes three lines in one go, the way a fast writer's writes
  // merge in the pipe; the C reader printed "helloworldquit" here.
  await using dir = await tempDir();
  const path = `${dir.path}/testfifo`;
  mkfifo(path, 0o644); // made by the user: it must stay
  const guard = new LeakGuard({ dir: dir.path });
  try {
    await using reader = start("readfifo", ["--path", path]);
    await reader.waitFor("waiting for a writer", "stderr");
    const sh = await new Deno.Command("sh", {
      args: ["-c", `printf 'hello\\nworld\\nquit\\nnot read\\n' > "$1"`, "sh", path],
    }).output();
    assert.equal(sh.code, 0);
    const r = await reader.finish();
    assert.equal(r.stdout, "hello\nworld\n");
    assert.equal(r.stderr, `readfifo: waiting for a writer on ${path}\n`); // did not create it
    assert.equal(r.code, 0);
    assert.equal(fileType(path), "fifo", "a FIFO the user made is left alone");
    guard.check();
  } finally {
    unlink(path);
  }
});

Deno.test("a pre-made FIFO stays; relative --path is in the user's directory", async () => {
  await using dir = await tempDir();
  mkfifo(`${dir.path}/mine`, 0o600);
  const guard = new LeakGuard({ dir: dir.path });
  try {
    await using reader = start("readfifo", ["--path", "mine"], { cwd: dir.path });
    await reader.waitFor("waiting for a writer", "stderr");
    const w = await run("writefifo", ["--path=mine"], { cwd: dir.path, stdin: "hi\nquit\n" });
    const r = await reader.finish();
    assert.equal(w.code, 0);
    assert.equal(w.stderr, "");
    assert.equal(r.stdout, "hi\n");
    assert.equal(r.code, 0);
    guard.check(); // "mine" is still there, nothing else is
  } finally {
    unlink(`${dir.path}/mine`);
  }
});

for (
  const [task, signal, code] of [
    ["readfifo", "SIGINT", 130],
    ["readfifo", "SIGTERM", 143],
    ["writefifo", "SIGINT", 130],
    ["writefifo", "SIGTERM", 143],
  ] as const
) {
  Deno.test(`${task}: ${signal} while it waits in open → ${code}, its FIFO removed`, async () => {
    await using dir = await tempDir();
    const guard = new LeakGuard({ dir: dir.path });
    await using p = start(task, [], { cwd: dir.path });
    await p.waitFor(/waiting for a/, "stderr");
    assert.equal(fileType(`${dir.path}/testfifo`), "fifo");
    p.kill(signal);
    const r = await p.finish();
    assert.equal(r.code, code);
    guard.check();
  });
}

/** Both sides connected, one line delivered; the FIFO is already unlinked. */
async function connectedPair(dir: string): Promise<{ reader: Started; writer: Started }> {
  const reader = start("readfifo", [], { cwd: dir });
  await reader.waitFor("waiting for a writer", "stderr");
  const writer = start("writefifo", [], { cwd: dir });
  await writer.write("one\n");
  await reader.waitFor("one\n");
  await writer.waitFor("text:text:");
  return { reader, writer };
}

Deno.test("readfifo: SIGTERM while it waits in read → 143; the writer reports it, exit 1", async () => {
  await using dir = await tempDir();
  const guard = new LeakGuard({ dir: dir.path });
  const { reader, writer } = await connectedPair(dir.path);
  await using _r = reader;
  await using _w = writer;
  reader.kill("SIGTERM");
  assert.equal((await reader.finish()).code, 143);
  const w = await writer.finish(); // it is still waiting for stdin: must notice anyway
  assert.equal(w.code, 1);
  assert.match(w.stderr, /^writefifo: the reader closed .*testfifo/);
  // The prompt it was waiting at is ended first, so that on a terminal the
  // message starts on a line of its own (not "text:writefifo: the reader...").
  assert.equal(w.stdout, "text:text:\n");
  guard.check();
});

Deno.test("writefifo: SIGINT while it waits for input → 130; the reader notes it, exit 0 as the C", async () => {
  await using dir = await tempDir();
  const guard = new LeakGuard({ dir: dir.path });
  const { reader, writer } = await connectedPair(dir.path);
  await using _r = reader;
  await using _w = writer;
  writer.kill("SIGINT");
  assert.equal((await writer.finish()).code, 130);
  const r = await reader.finish();
  assert.equal(r.stdout, "one\n");
  assert.equal(r.code, 0); // the C readfifo, too, ends with 0 when read() returns 0
  assert.match(r.stderr, /the writer closed .*testfifo without sending quit/);
  guard.check();
});

for (const victim of ["readfifo", "writefifo"] as const) {
  Deno.test(`SIGKILL of ${victim} mid-exchange: the other side reports it`, async () => {
    await using dir = await tempDir();
    const guard = new LeakGuard({ dir: dir.path });
    const { reader, writer } = await connectedPair(dir.path);
    await using _r = reader;
    await using _w = writer;
    const [killed, other] = victim === "readfifo" ? [reader, writer] : [writer, reader];
    killed.kill("SIGKILL");
    assert.equal((await killed.finish()).signal, "SIGKILL");
    const o = await other.finish();
    // The writer fails (it cannot deliver); the reader ends as the C one does, 0, with a note.
    assert.equal(o.code, victim === "readfifo" ? 1 : 0);
    assert.match(
      o.stderr,
      victim === "readfifo" ? /the reader closed/ : /closed .* without sending quit/,
    );
    guard.check(); // the FIFO was unlinked as soon as both ends were open
  });
}

for (const task of ["readfifo", "writefifo"] as const) {
  Deno.test(`${task}: bad paths give a clear error naming path and errno, exit 1`, async () => {
    await using dir = await tempDir();
    const missing = `${dir.path}/no-such-dir/testfifo`;
    const r1 = await run(task, ["--path", missing]);
    assert.equal(r1.stderr, `${task}: mkfifo ${missing}: ENOENT (No such file or directory)\n`);
    assert.equal(r1.code, 1);

    const file = `${dir.path}/plain.txt`;
    await Deno.writeTextFile(file, "keep me");
    const guard = new LeakGuard({ dir: dir.path });
    const r2 = await run(task, ["--path", file]);
    assert.equal(
      r2.stderr,
      `${task}: ${file} exists and is a regular file, not a FIFO (mkfifo: EEXIST)\n`,
    );
    assert.equal(r2.code, 1);
    assert.equal(await Deno.readTextFile(file), "keep me");
    guard.check();

    const r3 = await run(task, ["extra"]);
    assert.match(r3.stderr, new RegExp(`^usage: ${task} \\[--path FIFO\\]`));
    assert.equal(r3.code, 1);
  });
}

Deno.test("writefifo/readfifo: a socket at the path is refused, not waited on", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/a.sock`;
  using listener = Deno.listen({ transport: "unix", path });
  const guard = new LeakGuard({ dir: dir.path });
  // open(O_WRONLY|O_NONBLOCK) of a socket says ENXIO, as a FIFO without reader does:
  // writefifo looks at what it is before it waits.
  const w = await run("writefifo", ["--path", path], { stdin: "hi\nquit\n" });
  assert.equal(
    w.stderr,
    `writefifo: ${path} exists and is a socket, not a FIFO (mkfifo: EEXIST)\n`,
  );
  assert.equal(w.code, 1);
  // readfifo's open fails at once, with the errno named.
  const r = await run("readfifo", ["--path", path]);
  assert.equal(r.stderr, `readfifo: open ${path}: ENXIO (No such device or address)\n`);
  assert.equal(r.code, 1);
  guard.check();
  listener.close();
});

/**
 * Run a task without the capabilities that let root ignore file
 * permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so EACCES happens
 * as it would for an ordinary user.
 */
async function runWithoutDacOverride(task: string, args: string[]) {
  const drop = "-dac_override,-dac_read_search";
  const out = await new Deno.Command("setpriv", {
    args: [
      `--inh-caps=${drop}`,
      `--bounding-set=${drop}`,
      Deno.execPath(),
      ...taskArgs(task),
      ...args,
    ],
    cwd: ROOT,
    stdin: "null",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

/** The EACCES test needs root (to chown) and util-linux's setpriv. */
const EACCES_TEST =
  "no permission: EACCES named with the path, exit 1 (root without CAP_DAC_OVERRIDE)";
Deno.test({
  name: EACCES_TEST,
  ignore: ignoreIf(EACCES_TEST, notRoot("it chowns files to nobody"), missingTool("setpriv")),
}, async () => {
  await using dir = await tempDir();
  const locked = `${dir.path}/locked`;
  await Deno.mkdir(locked, { mode: 0o755 });
  await Deno.chown(locked, 65534, 65534); // owned by nobody: we may not create in it
  const theirs = `${dir.path}/theirs`;
  mkfifo(theirs, 0o600);
  await Deno.chown(theirs, 65534, 65534); // nobody's FIFO, mode 0600: we may not open it
  const guard = new LeakGuard({ dir: dir.path });
  try {
    for (const task of ["readfifo", "writefifo"]) {
      const r1 = await runWithoutDacOverride(task, ["--path", `${locked}/testfifo`]);
      assert.equal(r1.stderr, `${task}: mkfifo ${locked}/testfifo: EACCES (Permission denied)\n`);
      assert.equal(r1.code, 1);
      const r2 = await runWithoutDacOverride(task, ["--path", theirs]);
      assert.equal(r2.stderr, `${task}: open ${theirs}: EACCES (Permission denied)\n`);
      assert.equal(r2.code, 1);
    }
    guard.check();
  } finally {
    unlink(theirs);
  }
});

// ------------------------------------------------------ fifo-server / client

async function startServer(dir: string, args: string[] = []): Promise<Started> {
  const server = start("fifo-server", args, { cwd: dir });
  await server.waitFor("fifo-server: serving sequence numbers on", "stderr");
  return server;
}

Deno.test("fifo-server + 12 concurrent clients: every range distinct and complete; SIGTERM → 143", async () => {
  await using dir = await tempDir();
  const guard = new LeakGuard({ dir: dir.path });
  await using server = await startServer(dir.path);
  assert.equal(fileType(`${dir.path}/seqnum_sv`), "fifo");
  const counts = Array.from({ length: 12 }, (_, i) => i + 1);
  const clients = counts.map((count) => start("fifo-client", [String(count)], { cwd: dir.path }));
  const results = await Promise.all(clients.map((c) => c.finish()));
  const ranges: Array<[number, number, number]> = [];
  results.forEach((r, i) => {
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.match(r.stdout, /^\d+\n$/);
    ranges.push([Number(r.stdout), counts[i], clients[i].pid]);
  });
  // Together the replies cover 0..total-1 exactly once: nobody got another's.
  ranges.sort((a, b) => a[0] - b[0]);
  let next = 0;
  for (const [first, count] of ranges) {
    assert.equal(first, next, `ranges ${JSON.stringify(ranges)}`);
    next += count;
  }
  assert.equal(next, counts.reduce((a, b) => a + b));
  // The server's log agrees, client by client (pid = the client process).
  for (const [first, count, pid] of ranges) {
    await server.waitFor(`pid ${pid}: ${count} number${count === 1 ? "" : "s"} from ${first}\n`);
  }
  server.kill("SIGTERM");
  const s = await server.finish();
  assert.equal(s.code, 143);
  guard.check(); // request FIFO and every reply FIFO gone
});

Deno.test("fifo-server: malformed, oversized and orphaned requests are logged, never fatal", async () => {
  await using dir = await tempDir();
  const guard = new LeakGuard({ dir: dir.path });
  await using server = await startServer(dir.path);
  const requestFifo = `${dir.path}/seqnum_sv`;
  // A fake client with a reply FIFO, asking for a bad count: this test
  // process, whose pid is alive (the server removes the reply FIFOs of
  // clients that are gone, and this one must stay until we remove it).
  const fakePid = Deno.pid;
  const replyFifo = `${dir.path}/seqnum_cl.${fakePid}`;
  mkfifo(replyFifo, 0o600);
  try {
    using reply = openFile(replyFifo, O.RDONLY | O.NONBLOCK | O.CLOEXEC);
    {
      using request = openFile(requestFifo, O.WRONLY | O.NONBLOCK);
      writeAll(request.fd, encoder.encode("garbage\n"));
      writeAll(request.fd, encoder.encode(`${"y".repeat(5000)}\n`)); // > PIPE_BUF
      writeAll(request.fd, encoder.encode("2147483647 1\n")); // nobody's reply FIFO
      writeAll(request.fd, encoder.encode(`${fakePid} 0\n`)); // bad count, error reply
    }
    await pollAsync([{ fd: reply.fd, events: POLL.IN }]);
    const buf = new Uint8Array(256);
    const n = read(reply.fd, buf);
    assert.equal(
      new TextDecoder().decode(buf.subarray(0, n)),
      `error: count must be 1..1000000, got "0"\n`,
    );
  } finally {
    unlink(replyFifo);
  }
  // Still serving: a real client gets number 0 (nothing was handed out yet).
  const c = await run("fifo-client", ["3"], { cwd: dir.path });
  assert.equal(c.stdout, "0\n");
  assert.equal(c.code, 0);
  for (
    const expected of [
      `fifo-server: dropped a malformed request "garbage": not \`<pid> <count>\``,
      `fifo-server: dropped a request of 5000 bytes: more than PIPE_BUF (4096)`,
      `fifo-server: dropped request "2147483647 1": client 2147483647 has gone (open ` +
      `${dir.path}/seqnum_cl.2147483647: ENOENT)`,
      `fifo-server: bad request "${fakePid} 0" from pid ${fakePid}: count must be 1..1000000, ` +
      `got "0"; error sent`,
    ]
  ) await server.waitFor(expected, "stderr");
  server.kill("SIGINT");
  assert.equal((await server.finish()).code, 130);
  guard.check();
});

Deno.test("fifo-client without a server: ENOENT or ENXIO named, exit 1, nothing left", async () => {
  await using dir = await tempDir();
  const guard = new LeakGuard({ dir: dir.path });
  const r1 = await run("fifo-client", [], { cwd: dir.path });
  assert.equal(
    r1.stderr,
    `fifo-client: no server FIFO ${dir.path}/seqnum_sv: open: ENOENT (No such file or directory)\n`,
  );
  assert.equal(r1.code, 1);
  guard.check();
  mkfifo(`${dir.path}/seqnum_sv`, 0o600); // a FIFO nobody reads
  try {
    const r2 = await run("fifo-client", ["2"], { cwd: dir.path });
    assert.equal(
      r2.stderr,
      `fifo-client: no server is reading ${dir.path}/seqnum_sv: open: ENXIO (No such device or address)\n`,
    );
    assert.equal(r2.code, 1);
    assert.deepEqual([...Deno.readDirSync(dir.path)].map((e) => e.name), ["seqnum_sv"]);
    const r3 = await run("fifo-client", ["0"], { cwd: dir.path });
    assert.match(r3.stderr, /COUNT must be 1\.\.1000000/);
    assert.equal(r3.code, 1);
  } finally {
    unlink(`${dir.path}/seqnum_sv`);
  }
});

Deno.test("fifo-server: a regular file or a socket at its path is refused (not taken for a running server, nor over)", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/seqnum_sv`;
  await Deno.writeTextFile(path, "keep me");
  // open(O_WRONLY|O_NONBLOCK) of a socket says ENXIO, as a FIFO nobody reads does.
  const socket = `${dir.path}/s.sock`;
  using listener = Deno.listen({ transport: "unix", path: socket });
  const guard = new LeakGuard({ dir: dir.path });
  const r = await run("fifo-server", [], { cwd: dir.path });
  assert.equal(
    r.stderr,
    `fifo-server: ${path} exists and is a regular file, not a FIFO (mkfifo: EEXIST)\n`,
  );
  assert.equal(r.code, 1);
  assert.equal(await Deno.readTextFile(path), "keep me");
  const r2 = await run("fifo-server", ["--path", socket]);
  assert.equal(
    r2.stderr,
    `fifo-server: ${socket} exists and is a socket, not a FIFO (mkfifo: EEXIST)\n`,
  );
  assert.equal(r2.code, 1);
  guard.check(); // both still there, nothing else
  listener.close();
});

Deno.test("fifo-client: the server vanishes before replying → the client reports it, exit 1", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/seqnum_sv`;
  mkfifo(path, 0o600);
  const guard = new LeakGuard({ dir: dir.path });
  try {
    // This test plays a server that dies: it holds the request FIFO's read
    // end, takes the request, and closes without replying (to the kernel,
    // the same as the server being killed: its descriptors close).
    const fake = openFile(path, O.RDONLY | O.NONBLOCK | O.CLOEXEC);
    await using client = start("fifo-client", ["3"], { cwd: dir.path });
    try {
      await pollAsync([{ fd: fake.fd, events: POLL.IN }]);
      const buf = new Uint8Array(64);
      const n = read(fake.fd, buf);
      assert.equal(new TextDecoder().decode(buf.subarray(0, n)), `${client.pid} 3\n`);
      assert.ok(exists(`${dir.path}/seqnum_cl.${client.pid}`));
    } finally {
      fake.close();
    }
    const r = await client.finish();
    assert.equal(r.stderr, `fifo-client: the server closed ${path} before replying (killed?)\n`);
    assert.equal(r.code, 1);
    guard.check(); // its reply FIFO is gone
  } finally {
    unlink(path);
  }
});

// ------------------------------------- SIGKILL and the other side going away
//
// Each row of examples/fifo/README.md "When the other side goes away" has
// its test here. Processes are stopped (SIGSTOP) to hold them at a wait,
// never timed: a test waits for printed text (IPC_TRACE lines included) or
// for a process to end.

const TRACE = { IPC_TRACE: "1" };
/** The client's traced request: one write into the request FIFO. */
const REQUEST_SENT = /^\[fifo-client \d+\] write\(\d+, <\d+ bytes>\) = \d+$/m;

/** The lines of `stderr` that are not IPC_TRACE lines: what the program said. */
function said(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line !== "" && !/^\[\S+ \d+\] /.test(line));
}

function listing(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

Deno.test("fifo-server: SIGKILLed, its FIFO stays (clients: ENXIO); the next server takes it over and removes it", async () => {
  await using dir = await tempDir();
  const guard = new LeakGuard({ dir: dir.path });
  const path = `${dir.path}/seqnum_sv`;
  const first = await startServer(dir.path);
  first.kill("SIGKILL");
  assert.equal((await first.finish()).signal, "SIGKILL");
  assert.equal(fileType(path), "fifo", "SIGKILL runs no cleanup");
  const c = await run("fifo-client", [], { cwd: dir.path });
  assert.equal(
    c.stderr,
    `fifo-client: no server is reading ${path}: open: ENXIO (No such device or address)\n`,
  );
  assert.equal(c.code, 1);

  await using second = await startServer(dir.path);
  assert.equal(
    second.stderr,
    `fifo-server: ${path} was left by a server that is gone; taking it over\n` +
      `fifo-server: serving sequence numbers on ${path}\n`,
  );
  // A FIFO that a live server reads is still refused.
  const third = await run("fifo-server", [], { cwd: dir.path });
  assert.equal(
    third.stderr,
    `fifo-server: another process is already reading ${path} (a server running?)\n`,
  );
  assert.equal(third.code, 1);
  assert.equal((await run("fifo-client", ["4"], { cwd: dir.path })).stdout, "0\n");
  second.kill("SIGTERM");
  assert.equal((await second.finish()).code, 143);
  guard.check(); // the FIFO it took over is gone too
});

/** Fill the FIFO `fd` (non-blocking) until a write says EAGAIN. */
function fill(fd: number): void {
  const chunk = new Uint8Array(4096).fill(0x0a);
  for (;;) {
    try {
      write(fd, chunk);
    } catch (e) {
      if (e instanceof LibcError && e.errno === Errno.EAGAIN) return;
      throw e;
    }
  }
}

/**
 * fifo-client waits (for its reply, or for room in a full request FIFO)
 * while the server, stopped so that it never answers, is SIGKILLed. The
 * client must notice, say so in its terms and remove its reply FIFO; the
 * FIFO the server left is taken over by the next normal run.
 */
async function serverKilledWhileClientWaits(waitingFor: "reply" | "room") {
  await using dir = await tempDir();
  const guard = new LeakGuard({ dir: dir.path });
  const path = `${dir.path}/seqnum_sv`;
  await using server = await startServer(dir.path);
  server.kill("SIGSTOP"); // alive (clients can open the FIFO) but answers nothing
  using filler = openFile(path, O.WRONLY | O.NONBLOCK | O.CLOEXEC);
  if (waitingFor === "room") fill(filler.fd);
  await using client = start("fifo-client", ["2"], { cwd: dir.path, env: TRACE });
  await client.waitFor(
    waitingFor === "reply" ? REQUEST_SENT : /\] write\(\d+, <\d+ bytes>\) = -1 EAGAIN /,
    "stderr",
  );
  server.kill("SIGKILL");
  assert.equal((await server.finish()).signal, "SIGKILL");
  const c = await client.finish();
  assert.deepEqual(said(c.stderr), [
    waitingFor === "reply"
      ? `fifo-client: the server closed ${path} before replying (killed?)`
      : `fifo-client: write ${path}: EPIPE (Broken pipe): the server has gone`,
  ]);
  assert.equal(c.stdout, "");
  assert.equal(c.code, 1);
  filler.close();
  assert.deepEqual(listing(dir.path), ["seqnum_sv"], "only the killed server's FIFO is left");
  unlink(path); // (the next server would take it over: see the test above)
  guard.check();
}

Deno.test("fifo-client: the server SIGKILLed while it waits for its reply or for room → it says so, exit 1", async () => {
  await Promise.all([serverKilledWhileClientWaits("reply"), serverKilledWhileClientWaits("room")]);
});

Deno.test("fifo-server: clients killed or Ctrl+C'd before their reply, or before reading it: still serving, their FIFOs removed", async () => {
  await using dir = await tempDir();
  const guard = new LeakGuard({ dir: dir.path });
  await using server = await startServer(dir.path);
  server.kill("SIGSTOP"); // the requests wait in the FIFO
  const clients = ["3", "4", "5", "6"].map((count) =>
    start("fifo-client", [count], { cwd: dir.path, env: TRACE })
  );
  const [killed, interrupted, unread, unreadLast] = clients;
  await using _k = killed;
  await using _i = interrupted;
  await using _u = unread;
  await using _l = unreadLast;
  await Promise.all(clients.map((c) => c.waitFor(REQUEST_SENT, "stderr")));
  const reply = (c: Started) => `${dir.path}/seqnum_cl.${c.pid}`;
  const removed = (c: Started) =>
    `fifo-server: client ${c.pid} is gone and left ${reply(c)}: removed it\n`;
  killed.kill("SIGKILL"); // before the server opens its reply FIFO: the FIFO stays
  interrupted.kill("SIGINT"); // its cleanup removes its FIFO
  unread.kill("SIGSTOP"); // these two get their replies, and die before reading them
  unreadLast.kill("SIGSTOP");
  assert.equal((await killed.finish()).signal, "SIGKILL");
  assert.equal((await interrupted.finish()).code, 130);
  assert.equal(fileType(reply(killed)), "fifo");
  assert.equal(fileType(reply(interrupted)), null);

  server.kill("SIGCONT");
  for (
    const expected of [
      `fifo-server: dropped request "${killed.pid} 3": client ${killed.pid} has gone ` +
      `(open ${reply(killed)}: ENXIO)\n`,
      removed(killed),
      `fifo-server: dropped request "${interrupted.pid} 4": client ${interrupted.pid} has ` +
      `gone (open ${reply(interrupted)}: ENOENT)\n`,
    ]
  ) await server.waitFor(expected, "stderr");
  // Served in the order the requests came: 5 and 6 numbers from 0, in some order.
  await server.waitFor(new RegExp(`^pid ${unread.pid}: 5 numbers from (0|6)$`, "m"));
  await server.waitFor(new RegExp(`^pid ${unreadLast.pid}: 6 numbers from (0|5)$`, "m"));
  assert.equal(fileType(reply(killed)), null);
  unread.kill("SIGKILL"); // its reply is in its FIFO, unread
  assert.equal((await unread.finish()).signal, "SIGKILL");
  assert.equal(fileType(reply(unread)), "fifo");

  // Still serving; its next batch of requests looks again and removes the FIFO left.
  const next = await run("fifo-client", [], { cwd: dir.path });
  assert.equal(next.stdout, "11\n");
  assert.equal(next.code, 0);
  await server.waitFor(removed(unread), "stderr");

  // No request after this one: the server's cleanup looks when it ends.
  unreadLast.kill("SIGKILL");
  assert.equal((await unreadLast.finish()).signal, "SIGKILL");
  assert.equal(fileType(reply(unreadLast)), "fifo");
  server.kill("SIGINT");
  const s = await server.finish();
  assert.equal(s.code, 130);
  assert.ok(s.stderr.endsWith(removed(unreadLast)), s.stderr);
  guard.check();
});

for (const victim of ["readfifo", "writefifo"] as const) {
  Deno.test(`${victim} SIGKILLed while it waits for its peer: testfifo stays; the next pair works on it and leaves it`, async () => {
    await using dir = await tempDir();
    const guard = new LeakGuard({ dir: dir.path });
    const path = `${dir.path}/testfifo`;
    const killed = start(victim, [], { cwd: dir.path });
    await killed.waitFor(/waiting for a/, "stderr");
    killed.kill("SIGKILL");
    assert.equal((await killed.finish()).signal, "SIGKILL");
    assert.equal(fileType(path), "fifo", "SIGKILL runs no cleanup");

    // The next pair cannot tell this FIFO from one you made with `mkfifo
    // testfifo` (which the C originals need): it uses it and leaves it.
    await using reader = start("readfifo", [], { cwd: dir.path });
    await reader.waitFor("waiting for a writer", "stderr");
    const w = await run("writefifo", [], { cwd: dir.path, stdin: "hi\nquit\n" });
    const r = await reader.finish();
    assert.equal(r.stdout, "hi\n");
    assert.equal(r.code, 0);
    assert.equal(w.code, 0);
    assert.equal(w.stderr, "");
    assert.doesNotMatch(r.stderr, /created|removed/);
    assert.equal(fileType(path), "fifo");
    unlink(path); // the documented recovery: rm testfifo
    guard.check();
  });
}

for (const signal of ["SIGINT", "SIGKILL"] as const) {
  Deno.test(`readfifo: the writer ${signal === "SIGINT" ? "Ctrl+C'd" : "SIGKILLed"} before sending anything → a note, exit 0, nothing left`, async () => {
    await using dir = await tempDir();
    const guard = new LeakGuard({ dir: dir.path });
    await using reader = start("readfifo", [], { cwd: dir.path });
    await reader.waitFor("waiting for a writer", "stderr");
    await using writer = start("writefifo", [], { cwd: dir.path });
    await writer.waitFor("text:"); // its open succeeded: it waits for you to type
    writer.kill(signal);
    const w = await writer.finish();
    if (signal === "SIGINT") assert.equal(w.code, 130);
    else assert.equal(w.signal, "SIGKILL");
    const r = await reader.finish();
    assert.equal(r.stdout, "");
    assert.equal(r.code, 0);
    assert.match(
      r.stderr,
      new RegExp(`readfifo: the writer closed ${dir.path}/testfifo without sending quit`),
    );
    guard.check(); // readfifo made the FIFO and removed it
  });
}

Deno.test("writefifo waits for room in a full FIFO; the reader SIGKILLed → it says the reader has gone, exit 1", async () => {
  await using dir = await tempDir();
  const guard = new LeakGuard({ dir: dir.path });
  const path = `${dir.path}/testfifo`;
  await using reader = start("readfifo", [], { cwd: dir.path });
  await reader.waitFor("waiting for a writer", "stderr");
  await using writer = start("writefifo", [], { cwd: dir.path, env: TRACE });
  await writer.write("first\n");
  await reader.waitFor("first\n"); // both ends open: readfifo has removed the name
  reader.kill("SIGSTOP");
  // 70,000 bytes: 69 messages of 1,023 bytes, more than the pipe's 65,536.
  await writer.write(`${"x".repeat(70_000)}\n`);
  await writer.waitFor(/\] write\(\d+, <1023 bytes>\) = -1 EAGAIN /, "stderr");
  reader.kill("SIGKILL");
  assert.equal((await reader.finish()).signal, "SIGKILL");
  const w = await writer.finish();
  assert.deepEqual(said(w.stderr), [
    `writefifo: write ${path}: EPIPE (Broken pipe): the reader has gone`,
  ]);
  assert.equal(w.code, 1);
  guard.check();
});
