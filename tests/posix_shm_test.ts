/**
 * Tests of lib/posix_shm.ts and examples/posix-shm: the writer/reader pair
 * as real processes (the reader prints what the writer wrote, /dev/shm is
 * clean afterwards), interrupts, a killed peer, and bad input.
 */
import "./_helpers/bind_libc.ts"; // before anything calls libc: see the module
import assert from "node:assert/strict";
import { randomTag, run, start } from "./_helpers/run.ts";
import { LeakGuard } from "./_helpers/leaks.ts";
import { LibcError, O } from "../lib/libc.ts";
import { MAP, PROT } from "../lib/mmap.ts";
import { checkShmName, SharedMemoryObject, shmPath, shmUnlink } from "../lib/posix_shm.ts";

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

const WRITER_PROMPT = "press ENTER to key to continue...\n";
const READER_PROMPT = "Press ENTER to continue...\n";

/** A fresh object name for one test, and its leak guard (by tag). */
function fresh(): { name: string; guard: LeakGuard } {
  const tag = randomTag();
  return { name: `/ipc-lab-test-${tag}`, guard: new LeakGuard({ tag }) };
}

/** Remove the object if a failed test left it. */
function removeQuietly(name: string): void {
  try {
    shmUnlink(name);
  } catch {
    // not there: fine
  }
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("posix-shm: the reader prints what the writer wrote; nothing is left in /dev/shm", async () => {
  const { name, guard } = fresh();
  try {
    await using writer = start("posix-shm-writer", ["--name", name]);
    await writer.waitFor(WRITER_PROMPT);
    const stat = Deno.statSync(shmPath(name)); // the object is a file in /dev/shm
    assert.equal(stat.size, 4096);
    await using reader = start("posix-shm-reader", ["--name", name]);
    await reader.waitFor(READER_PROMPT);
    await reader.write("\n");
    const r = await reader.finish();
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, READER_PROMPT + "This is a test\n", ""]);
    await writer.write("\n");
    const w = await writer.finish();
    assert.deepEqual([w.code, w.stdout, w.stderr], [0, WRITER_PROMPT, ""]);
    guard.check();
  } finally {
    removeQuietly(name);
  }
});

Deno.test("posix-shm: the reader still reads after the writer unlinked the name", async () => {
  const { name, guard } = fresh();
  try {
    await using writer = start("posix-shm-writer", ["--name", name]);
    await writer.waitFor(WRITER_PROMPT);
    await using reader = start("posix-shm-reader", ["--name", name]);
    await reader.waitFor(READER_PROMPT);
    await writer.write("\n");
    assert.equal((await writer.finish()).code, 0);
    assert.equal(exists(shmPath(name)), false); // the name is gone...
    await reader.write("\n");
    const r = await reader.finish(); // ...the memory is not, while it is mapped
    assert.deepEqual([r.code, r.stdout], [0, READER_PROMPT + "This is a test\n"]);
    guard.check();
  } finally {
    removeQuietly(name);
  }
});

for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  Deno.test(`posix-shm-writer: ${signal} while waiting for ENTER exits ${code} and removes the object`, async () => {
    const { name, guard } = fresh();
    try {
      await using writer = start("posix-shm-writer", ["--name", name]);
      await writer.waitFor(WRITER_PROMPT);
      assert.equal(exists(shmPath(name)), true);
      writer.kill(signal);
      const w = await writer.finish();
      assert.equal(w.code, code);
      assert.equal(w.stderr, "");
      guard.check();
    } finally {
      removeQuietly(name);
    }
  });
}

Deno.test("posix-shm-reader: SIGINT while waiting exits 130 and removes nothing it did not make", async () => {
  const { name, guard } = fresh();
  try {
    await using writer = start("posix-shm-writer", ["--name", name]);
    await writer.waitFor(WRITER_PROMPT);
    await using reader = start("posix-shm-reader", ["--name", name]);
    await reader.waitFor(READER_PROMPT);
    reader.kill("SIGINT");
    assert.equal((await reader.finish()).code, 130);
    assert.equal(exists(shmPath(name)), true); // the writer's object is still there
    await writer.write("\n");
    assert.equal((await writer.finish()).code, 0);
    guard.check();
  } finally {
    removeQuietly(name);
  }
});

Deno.test("posix-shm: writer SIGKILLed: the reader still completes; the object stays until a writer run removes it", async () => {
  // Decision: no side depends on the other being alive (there is no
  // connection, only memory), so the survivor completes correctly. SIGKILL
  // skips the writer's cleanup, so the name stays in /dev/shm: the next
  // writer run reuses it (O_CREAT, no O_EXCL) and removes it at its end.
  const { name, guard } = fresh();
  try {
    await using writer = start("posix-shm-writer", ["--name", name]);
    await writer.waitFor(WRITER_PROMPT);
    await using reader = start("posix-shm-reader", ["--name", name]);
    await reader.waitFor(READER_PROMPT);
    writer.kill("SIGKILL");
    assert.equal((await writer.finish()).signal, "SIGKILL");
    await reader.write("\n");
    const r = await reader.finish();
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, READER_PROMPT + "This is a test\n", ""]);
    assert.equal(exists(shmPath(name)), true, "SIGKILL cannot run the cleanup");
    const again = await run("posix-shm-writer", ["--name", name], { stdin: "\n" });
    assert.deepEqual([again.code, again.stdout], [0, WRITER_PROMPT]);
    guard.check();
  } finally {
    removeQuietly(name);
  }
});

Deno.test("posix-shm: reader SIGKILLed: the writer completes and removes the object", async () => {
  const { name, guard } = fresh();
  try {
    await using writer = start("posix-shm-writer", ["--name", name]);
    await writer.waitFor(WRITER_PROMPT);
    await using reader = start("posix-shm-reader", ["--name", name]);
    await reader.waitFor(READER_PROMPT);
    reader.kill("SIGKILL");
    assert.equal((await reader.finish()).signal, "SIGKILL");
    await writer.write("\n");
    const w = await writer.finish();
    assert.deepEqual([w.code, w.stdout, w.stderr], [0, WRITER_PROMPT, ""]);
    guard.check();
  } finally {
    removeQuietly(name);
  }
});

Deno.test("posix-shm: the object removed from outside, or the writer Ctrl+C'd: the reader still prints; the writer notes the removal, exit 0 / 130", async () => {
  // The writer waits at ENTER; `rm /dev/shm/...` removes the name. Its mapping works on,
  // and its shm_unlink at the end finds nothing (ENOENT): a note, not an error.
  const writerAfterRm = async (finish: "enter" | "SIGINT") => {
    const { name, guard } = fresh();
    try {
      await using writer = start("posix-shm-writer", ["--name", name]);
      await writer.waitFor(WRITER_PROMPT);
      await using reader = start("posix-shm-reader", ["--name", name]);
      await reader.waitFor(READER_PROMPT);
      Deno.removeSync(shmPath(name));
      await reader.write("\n");
      const r = await reader.finish();
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, READER_PROMPT + "This is a test\n", ""]);
      if (finish === "enter") await writer.write("\n");
      else writer.kill("SIGINT");
      const w = await writer.finish();
      assert.equal(w.code, finish === "enter" ? 0 : 130);
      assert.equal(
        w.stderr,
        `posix-shm-writer: note: ${name} was already removed from outside ` +
          `(rm /dev/shm${name}?): nothing is left\n`,
      );
      guard.check();
    } finally {
      removeQuietly(name);
    }
  };
  // The reader waits at ENTER; the writer is Ctrl+C'd (its cleanup unlinks the name).
  const readerAfterWriterCtrlC = async () => {
    const { name, guard } = fresh();
    try {
      await using writer = start("posix-shm-writer", ["--name", name]);
      await writer.waitFor(WRITER_PROMPT);
      await using reader = start("posix-shm-reader", ["--name", name]);
      await reader.waitFor(READER_PROMPT);
      writer.kill("SIGINT");
      const w = await writer.finish();
      assert.deepEqual([w.code, w.stderr], [130, ""]);
      await reader.write("\n");
      const r = await reader.finish();
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, READER_PROMPT + "This is a test\n", ""]);
      guard.check();
    } finally {
      removeQuietly(name);
    }
  };
  await allOf(writerAfterRm("enter"), writerAfterRm("SIGINT"), readerAfterWriterCtrlC());
});

Deno.test("posix-shm: EOF instead of ENTER continues, like getchar()", async () => {
  const { name, guard } = fresh();
  try {
    await using writer = start("posix-shm-writer", ["--name", name]);
    await writer.waitFor(WRITER_PROMPT);
    const r = await run("posix-shm-reader", ["--name", name], { stdin: "" });
    assert.deepEqual([r.code, r.stdout], [0, READER_PROMPT + "This is a test\n"]);
    await writer.closeStdin();
    assert.equal((await writer.finish()).code, 0);
    guard.check();
  } finally {
    removeQuietly(name);
  }
});

// ---- bad input ---------------------------------------------------------------

Deno.test("posix-shm-reader without a writer: clear error, exit 1, nothing created", async () => {
  const { name, guard } = fresh();
  const r = await run("posix-shm-reader", ["--name", name]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.equal(
    r.stderr,
    `posix-shm-reader: shm_open ${name}: ENOENT (No such file or directory): ` +
      `start posix-shm-writer first\n`,
  );
  guard.check();
});

Deno.test("posix-shm-reader on an empty object (not ftruncated yet): clear error, not SIGBUS", async () => {
  const { name, guard } = fresh();
  try {
    using made = SharedMemoryObject.create(name, { mode: 0o600 }); // size 0
    const r = await run("posix-shm-reader", ["--name", name]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(
      r.stderr,
      new RegExp(
        `^posix-shm-reader: mmap ${name}: the file is 0 bytes, shorter than the 4096 bytes ` +
          `to map; touching the pages past its end would kill the process \\(SIGBUS\\)`,
      ),
    );
    made.remove();
    guard.check();
  } finally {
    removeQuietly(name);
  }
});

Deno.test("posix-shm: a name without the leading slash, or extra arguments: usage error, exit 1", async () => {
  for (const task of ["posix-shm-writer", "posix-shm-reader"]) {
    const r = await run(task, ["--name", "no-slash"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^${task}: bad POSIX shared memory name "no-slash"`));
    const extra = await run(task, ["extra"]);
    assert.deepEqual([extra.code, extra.stderr], [1, `usage: ${task} [--name /name]\n`]);
  }
  assert.equal(exists("/dev/shm/no-slash"), false);
});

// ---- lib/posix_shm.ts ----------------------------------------------------------

Deno.test("lib posix_shm: create, open, size, map, dispose; close and remove are each done once", () => {
  const { name, guard } = fresh();
  try {
    let outer;
    {
      using shm = SharedMemoryObject.create(name, { mode: 0o600 });
      outer = shm;
      assert.equal(shm.size, 0);
      assert.throws(() => shm.map(4096, PROT.READ | PROT.WRITE), /the file is 0 bytes/);
      shm.truncate(8192);
      assert.equal(shm.size, 8192);
      assert.equal(shm.stat().type, "regular file");
      using m = shm.map(8192, PROT.READ | PROT.WRITE, MAP.SHARED);
      m.bytes[5000] = 42;
      // A second opener sees the same memory.
      using again = SharedMemoryObject.open(name, { flags: O.RDONLY });
      using m2 = again.map(8192, PROT.READ);
      assert.equal(m2.read(5000, 1)[0], 42);
      assert.throws(
        () => SharedMemoryObject.create(name),
        (e: unknown) => e instanceof LibcError && e.code === "EEXIST",
      );
      assert.equal(shm.remove(), true); // shm_unlink
      assert.equal(shm.remove(), false); // harmless
      assert.equal(shm.removed, true);
      assert.equal(m2.read(5000, 1)[0], 42); // mappings outlive the name
    }
    assert.equal(outer.closed, true);
    assert.throws(() => outer.fd, /is closed/);
    outer.close(); // harmless
    guard.check();
  } finally {
    removeQuietly(name);
  }
});

Deno.test("lib posix_shm: names must be '/' + a name without '/'", () => {
  for (const bad of ["", "/", "noslash", "/a/b", "//x", "/.", "/..", `/${"x".repeat(256)}`]) {
    assert.throws(() => checkShmName(bad), TypeError, bad);
    assert.throws(() => SharedMemoryObject.open(bad, { flags: O.RDONLY }), TypeError, bad);
  }
  checkShmName("/ipc-lab-shm");
  assert.equal(shmPath("/ipc-lab-shm"), "/dev/shm/ipc-lab-shm");
  assert.throws(
    () => shmUnlink(`/ipc-lab-missing-${randomTag()}`),
    (e: unknown) => e instanceof LibcError && e.call === "shm_unlink" && e.code === "ENOENT",
  );
});
