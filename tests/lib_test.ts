/**
 * Unit tests of lib/: real libc calls, real failures, real children.
 */
import "./_helpers/bind_libc.ts"; // before anything calls libc: see the module
import assert from "node:assert/strict";
import {
  close,
  cString,
  cStringAt,
  decodeWaitStatus,
  Errno,
  errnoName,
  errnoText,
  F,
  fcntl,
  O,
  openFile,
  parseInteger,
  pipe,
  POLL,
  pollOne,
  read,
  readFull,
  spawn,
  splitCommand,
  UsageError,
  write,
  writeAll,
} from "../lib/libc.ts";
import { ROOT } from "./_helpers/run.ts";
import { ignoreIf, QEMU_SPAWN_ERRORS, underEmulation } from "./_helpers/ignore.ts";
import { expectLibcError } from "./_helpers/assert.ts";

Deno.test("close on a bad fd: LibcError with call, errno, name and text", () => {
  const e = expectLibcError(() => close(-1), "close", "EBADF");
  assert.equal(e.errno, Errno.EBADF);
  assert.equal(e.description, "Bad file descriptor");
  assert.equal(e.message, "close: EBADF (Bad file descriptor)");
});

Deno.test("read on a pipe's write end is EBADF, write on its read end too", () => {
  using p = pipe();
  expectLibcError(() => read(p.write.fd, new Uint8Array(4)), "read", "EBADF");
  expectLibcError(() => write(p.read.fd, new Uint8Array(4)), "write", "EBADF");
});

Deno.test("open of a missing path names the path", () => {
  const e = expectLibcError(() => openFile("/no/such/dir/ipc-lab", O.RDONLY), "open", "ENOENT");
  assert.equal(e.message, "open /no/such/dir/ipc-lab: ENOENT (No such file or directory)");
});

Deno.test("errno names and texts come from libc", () => {
  assert.equal(errnoName(11), "EAGAIN");
  assert.equal(errnoName(17), "EEXIST");
  assert.equal(errnoText(17), "File exists");
});

Deno.test("errno is read right: 10,000 alternating failures each report their own code", () => {
  using p = pipe();
  for (let i = 0; i < 10_000; i++) {
    if (i % 2 === 0) expectLibcError(() => close(-1), "close", "EBADF");
    else expectLibcError(() => read(p.write.fd, new Uint8Array(1)), "read", "EBADF");
  }
  using nb = pipe({ nonblock: true });
  for (let i = 0; i < 1000; i++) {
    expectLibcError(() => read(nb.read.fd, new Uint8Array(1)), "read", "EAGAIN");
    expectLibcError(() => openFile(`/no/such/${i}`, O.RDONLY), "open", "ENOENT");
  }
});

Deno.test("pipe: data through, EOF after the write end closes, close twice is harmless", () => {
  const p = pipe();
  writeAll(p.write.fd, new Uint8Array([1, 2, 3]));
  p.write.close();
  p.write.close();
  const buf = new Uint8Array(8);
  assert.equal(read(p.read.fd, buf), 3);
  assert.deepEqual([...buf.subarray(0, 3)], [1, 2, 3]);
  assert.equal(read(p.read.fd, buf), 0);
  p[Symbol.dispose]();
  p[Symbol.dispose]();
  assert.ok(p.read.closed && p.write.closed);
});

Deno.test("pipe is O_CLOEXEC by default; using closes both ends", () => {
  // What each descriptor is (`pipe:[inode]`): under --parallel another test
  // file of this process may get the same number right after the close, so
  // "closed" means: the number no longer leads to this pipe.
  const target = (fd: number) => {
    try {
      return Deno.readLinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return undefined;
    }
  };
  let ends: [number, string | undefined][];
  {
    using p = pipe();
    ends = [p.read.fd, p.write.fd].map((fd) => [fd, target(fd)]);
    assert.match(ends[0][1] ?? "", /^pipe:\[\d+\]$/);
    assert.equal(fcntl(p.read.fd, F.GETFD) & F.FD_CLOEXEC, F.FD_CLOEXEC);
    assert.equal(fcntl(p.write.fd, F.GETFD) & F.FD_CLOEXEC, F.FD_CLOEXEC);
  }
  for (const [fd, before] of ends) assert.notEqual(target(fd), before, `fd ${fd} still open`);
});

Deno.test("EOF arrives while an unrelated child is still alive (no fd leaks into children)", async () => {
  using p = pipe();
  using sleeper = spawn("sleep", ["sleep", "600"]);
  p.write.close();
  // If the sleeper had inherited the write end, no HUP would come until it died.
  const revents = pollOne(p.read.fd, POLL.IN, 30_000);
  assert.ok(revents & POLL.HUP, `expected POLLHUP, got 0x${revents.toString(16)}`);
  assert.equal(read(p.read.fd, new Uint8Array(1)), 0);
  assert.equal(sleeper.tryWait(), undefined, "the sleeper should still be running");
  sleeper.kill();
  const status = await sleeper.wait();
  assert.equal(status.signalName, "SIGTERM");
});

Deno.test("spawn: file actions dup2 a pipe onto the child's stdout; exit codes decoded", async () => {
  using p = pipe();
  using child = spawn("sh", ["sh", "-c", "echo hello; exit 3"], {
    fileActions: [{ dup2: [p.write.fd, 1] }],
  });
  p.write.close();
  const buf = new Uint8Array(64);
  const n = readFull(p.read.fd, buf);
  assert.equal(new TextDecoder().decode(buf.subarray(0, n)), "hello\n");
  const status = await child.wait();
  assert.deepEqual(status, {
    code: 3,
    signal: null,
    signalName: null,
    coreDumped: false,
    success: false,
  });
});

Deno.test("spawn: the child gets the real environment and the chdir file action", async () => {
  using p = pipe();
  using child = spawn("sh", ["sh", "-c", 'printf "%s|%s" "$HOME" "$PWD"'], {
    fileActions: [{ dup2: [p.write.fd, 1] }, { chdir: "/tmp" }],
  });
  p.write.close();
  const buf = new Uint8Array(4096);
  const text = new TextDecoder().decode(buf.subarray(0, readFull(p.read.fd, buf)));
  assert.equal(text, `${Deno.env.get("HOME")}|/tmp`);
  assert.equal((await child.wait()).code, 0);
});

const SPAWN_ENOENT = "spawn: a missing program is ENOENT from posix_spawnp itself";
Deno.test({
  name: SPAWN_ENOENT,
  ignore: ignoreIf(
    SPAWN_ENOENT,
    underEmulation(QEMU_SPAWN_ERRORS),
  ),
}, () => {
  const e = expectLibcError(
    () => spawn("no-such-program-ipc-lab", ["x"]),
    "posix_spawnp",
    "ENOENT",
  );
  assert.match(e.message, /^posix_spawnp no-such-program-ipc-lab: ENOENT/);
});

Deno.test("spawn: SIGPIPE is back at its default in the child", async () => {
  using p = pipe();
  using child = spawn("yes", ["yes"], {
    fileActions: [{ dup2: [p.write.fd, 1] }],
  });
  p.write.close();
  read(p.read.fd, new Uint8Array(16)); // the child is writing
  p.read.close(); // no reader left: its next write raises SIGPIPE
  const status = await child.wait();
  assert.equal(status.signalName, "SIGPIPE");
});

Deno.test("dispose of an un-waited child kills and reaps it", () => {
  let pid: number;
  {
    using child = spawn("sleep", ["sleep", "600"]);
    pid = child.pid;
  }
  // Reaped: the pid is no longer our child.
  assert.throws(() => Deno.readTextFileSync(`/proc/${pid}/stat`));
});

Deno.test("decodeWaitStatus", () => {
  assert.equal(decodeWaitStatus(0).success, true);
  assert.equal(decodeWaitStatus(2 << 8).code, 2);
  assert.equal(decodeWaitStatus(9).signalName, "SIGKILL");
  assert.equal(decodeWaitStatus(0x80 | 11).coreDumped, true);
});

Deno.test("trace mode: one line per call, tagged with role and pid, failures with errno name", async () => {
  const code = `
    import { pipe, close, setTraceRole } from "${ROOT}/lib/libc.ts";
    setTraceRole("tester");
    { using p = pipe(); }
    try { close(-1); } catch {}
  `;
  const run = (env: Record<string, string>) =>
    new Deno.Command(Deno.execPath(), {
      args: ["eval", "--quiet", code],
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
  const on = await run({ IPC_TRACE: "1" });
  const lines = new TextDecoder().decode(on.stderr).trim().split("\n");
  assert.match(lines[0], /^\[tester \d+\] pipe2\(\[(\d+), (\d+)\], O_CLOEXEC\) = 0$/);
  assert.match(lines[1], /^\[tester \d+\] close\(\d+\) = 0$/);
  assert.match(lines[2], /^\[tester \d+\] close\(\d+\) = 0$/);
  assert.match(lines[3], /^\[tester \d+\] close\(-1\) = -1 EBADF \(Bad file descriptor\)$/);
  assert.equal(lines.length, 4);
  const off = await run({});
  assert.equal(new TextDecoder().decode(off.stderr), "");
});

Deno.test("C strings: UTF-8 with a NUL, NUL inside rejected", () => {
  assert.deepEqual([...cString("é")], [0xc3, 0xa9, 0]);
  assert.throws(() => cString("a\0b"), TypeError);
  assert.equal(cStringAt(new Uint8Array([104, 105, 0, 120])), "hi");
});

Deno.test("argument helpers: splitCommand and parseInteger", () => {
  assert.deepEqual(splitCommand(`grep -c 'a b' "c\\"d" e\\ f`), [
    "grep",
    "-c",
    "a b",
    'c"d',
    "e f",
  ]);
  assert.equal(parseInteger("0x12345678", "--key"), 0x12345678);
  assert.equal(parseInteger("0660", "--mode"), 0o660);
  assert.equal(parseInteger("42", "--n"), 42);
  assert.throws(() => parseInteger("12abc", "--key"), UsageError);
});
