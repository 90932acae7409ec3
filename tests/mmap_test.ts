/**
 * Tests of lib/mmap.ts and examples/mmap: two real mmap-ex2 processes on
 * one file (MAP_SHARED: each sees the other's writes, and so does the
 * file; MAP_PRIVATE: nobody but the writer does), the library's safety
 * checks (use after unmap, MAP_FAILED, files shorter than the mapping),
 * bad input, signals and a killed peer.
 */
import "./_helpers/bind_libc.ts"; // before anything calls libc: see the module
import assert from "node:assert/strict";
import { run, start, type Started, tempDir } from "./_helpers/run.ts";
import { LibcError, O, openFile } from "../lib/libc.ts";
import { ftruncate, MAP, MAP_FAILED, mmap, MS, msync, munmap, PROT } from "../lib/mmap.ts";
import { fstat } from "../lib/files.ts";
import { libc } from "../lib/ffi/libc_ffi.ts";

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

const CONTENTS = `(*) What's difference between Shared mmap and Private mmap?${
  " ".repeat(6)
}- end - `;
const PROMPT = "'*' print Current mmap otherwise input text to mmap. >>";
const HEADER = "74 byte writing... to file -> shared_mmap\n";
const encoder = new TextEncoder();

/** The file's bytes after a run: the 73 characters and the NUL. */
const FILE_BYTES = encoder.encode(`${CONTENTS}\0`);

/** What `memcpy(p_map, line, strlen(line))` leaves in the first 64 bytes. */
function mapped(line: string, base = CONTENTS): string {
  return (line + base.slice(line.length)).slice(0, 64);
}

/** The `*` output line for a mapping holding `text`. */
function current(text: string): string {
  return `Current mmap -> '${text}'\n`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Wait until `p` has printed the prompt `n` times (it is ready for line n). */
async function prompts(p: Started, n: number): Promise<void> {
  await p.waitFor(new RegExp(`(?:${escapeRegExp(PROMPT)}[\\s\\S]*?){${n}}`));
}

/** Type `line` into `p` and wait for its next prompt (the line was handled). */
async function type(p: Started, line: string, promptsSoFar: number): Promise<void> {
  await p.write(line);
  await prompts(p, promptsSoFar + 1);
}

function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

// ---- the two-process examples --------------------------------------------

Deno.test("mmap-ex2 s + s: a line typed in one is seen by '*' in the other and is in the file", async () => {
  await using dir = await tempDir();
  await using a = start("mmap-ex2", ["s"], { cwd: dir.path });
  await using b = start("mmap-ex2", ["s"], { cwd: dir.path });
  // Both must have written the text and mapped before anyone types.
  await prompts(a, 1);
  await prompts(b, 1);
  const line = "New memory map data\n";
  await type(a, line, 1);
  await type(b, "*\n", 1);
  await type(a, "*\n", 2);
  await a.closeStdin();
  await b.closeStdin();
  const ra = await a.finish();
  const rb = await b.finish();
  assert.equal(ra.stdout, HEADER + PROMPT + PROMPT + current(mapped(line)) + PROMPT + "\n");
  assert.equal(rb.stdout, HEADER + PROMPT + current(mapped(line)) + PROMPT + "\n");
  // The slide's sample run: the typed line with its newline, then the rest.
  assert.match(rb.stdout, /'New memory map data\ne between Shared mmap and Private mmap\? {5}'/);
  assert.deepEqual([ra.code, rb.code, ra.stderr, rb.stderr], [0, 0, "", ""]);
  const file = await Deno.readFile(`${dir.path}/shared_mmap`);
  assert.deepEqual(file, encoder.encode(`${line}${CONTENTS.slice(line.length)}\0`));
  // Only the user's artefact is left, as with the C program.
  assert.deepEqual(names(dir.path), ["shared_mmap"]);
});

Deno.test("mmap-ex2 p + p: only the writer's own '*' shows the line; the other and the file do not", async () => {
  await using dir = await tempDir();
  await using a = start("mmap-ex2", ["p"], { cwd: dir.path });
  await using b = start("mmap-ex2", ["p"], { cwd: dir.path });
  await prompts(a, 1);
  await prompts(b, 1);
  const line = "private line\n";
  await type(a, line, 1);
  await type(a, "*\n", 2);
  await type(b, "*\n", 1);
  await a.closeStdin();
  await b.closeStdin();
  const ra = await a.finish();
  const rb = await b.finish();
  assert.equal(ra.stdout, HEADER + PROMPT + PROMPT + current(mapped(line)) + PROMPT + "\n");
  assert.equal(rb.stdout, HEADER + PROMPT + current(mapped("")) + PROMPT + "\n");
  assert.deepEqual([ra.code, rb.code, ra.stderr, rb.stderr], [0, 0, "", ""]);
  assert.deepEqual(await Deno.readFile(`${dir.path}/shared_mmap`), FILE_BYTES);
  assert.deepEqual(names(dir.path), ["shared_mmap"]);
});

Deno.test("mmap-ex2 s + p: a private mapping sees shared writes until it writes itself (Linux)", async () => {
  await using dir = await tempDir();
  await using s = start("mmap-ex2", ["s"], { cwd: dir.path });
  await using p = start("mmap-ex2", ["p"], { cwd: dir.path });
  await prompts(s, 1);
  await prompts(p, 1);
  await type(s, "one\n", 1);
  await type(p, "*\n", 1); // not a snapshot: the untouched private page is the file's page
  await type(p, "two\n", 2); // copy-on-write: from now on p has its own copy
  await type(s, "three\n", 2);
  await type(p, "*\n", 3);
  await type(s, "*\n", 3);
  await s.closeStdin();
  await p.closeStdin();
  const rs = await s.finish();
  const rp = await p.finish();
  assert.equal(
    rp.stdout,
    HEADER + PROMPT + current(mapped("one\n")) + PROMPT + PROMPT +
      current(mapped("two\n", mapped("one\n"))) + PROMPT + "\n",
  );
  assert.equal(
    rs.stdout,
    HEADER + PROMPT + PROMPT + PROMPT + current(mapped("three\n")) + PROMPT + "\n",
  );
  assert.deepEqual([rs.code, rp.code], [0, 0]);
  assert.deepEqual(
    await Deno.readFile(`${dir.path}/shared_mmap`),
    encoder.encode(`three\n${CONTENTS.slice(6)}\0`),
  );
});

Deno.test("mmap-ex2: --file names another file; fgets pieces, NUL and 64-byte limits", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/other.bin`;
  const long = `${"x".repeat(120)}\n`; // fgets(a_input, 100): 99 bytes, then 21 + newline
  const r = await run("mmap-ex2", ["--file", path, "s"], {
    cwd: dir.path,
    stdin: `${long}*\n`,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    `74 byte writing... to file -> ${path}\n` + PROMPT + PROMPT + PROMPT +
      current(mapped("x".repeat(21) + "\n", "x".repeat(64))) + PROMPT + "\n",
  );
  // Only 64 bytes were copied: bytes 64..73 of the file are the original's.
  const file = await Deno.readFile(path);
  assert.deepEqual(file.subarray(64), FILE_BYTES.subarray(64));
  assert.deepEqual(names(dir.path), ["other.bin"]);
});

Deno.test("mmap-ex2: EOF at once ends cleanly with exit 0 and leaves only shared_mmap", async () => {
  await using dir = await tempDir();
  const r = await run("mmap-ex2", ["s"], { cwd: dir.path, stdin: "" });
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, HEADER + PROMPT + "\n", ""]);
  assert.deepEqual(names(dir.path), ["shared_mmap"]);
  assert.deepEqual(await Deno.readFile(`${dir.path}/shared_mmap`), FILE_BYTES);
});

Deno.test("mmap-ex2: IPC_TRACE shows the 74-byte write, the 64-byte mapping and msync(MS_SYNC) after each write", async () => {
  await using dir = await tempDir();
  const r = await run("mmap-ex2", ["p"], {
    cwd: dir.path,
    stdin: "one\n*\ntwo\n",
    env: { IPC_TRACE: "1" },
  });
  assert.equal(r.code, 0, r.stderr);
  const fd = r.stderr.match(
    /^\[mmap_ex2 \d+\] open\(".*\/shared_mmap", O_RDWR\|O_CREAT, 0664\) = (\d+)$/m,
  )
    ?.[1];
  assert.ok(fd, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(`^\\[mmap_ex2 \\d+\\] write\\(${fd}, <74 bytes>\\) = 74$`, "m"),
  );
  assert.match(
    r.stderr,
    new RegExp(
      `^\\[mmap_ex2 \\d+\\] mmap\\(NULL, 64, PROT_READ\\|PROT_WRITE, MAP_PRIVATE, ${fd}, 0\\) = 0x[0-9a-f]+$`,
      "m",
    ),
  );
  assert.equal(r.stderr.match(/\] msync\(0x[0-9a-f]+, 64, MS_SYNC\) = 0$/gm)?.length, 2);
  // No fstat: the write's count (74 bytes from offset 0) already proves the file long enough.
  assert.doesNotMatch(r.stderr, /fstat/);
  assert.match(r.stderr, /\] munmap\(0x[0-9a-f]+, 64\) = 0\n(?:.*\n)*?.*\] close\(\d+\) = 0/);
});

// ---- bad input -------------------------------------------------------------

Deno.test("mmap-ex2: missing, unknown or extra arguments print the usage line, exit 1", async () => {
  await using dir = await tempDir();
  for (const args of [[], ["x"], ["shared"], ["s", "p"]]) {
    const r = await run("mmap-ex2", args, { cwd: dir.path });
    assert.deepEqual(
      [r.code, r.stdout, r.stderr],
      [1, "", "Usage : mmap_ex2 <s | p>\n"],
      `${args}`,
    );
  }
  assert.deepEqual(names(dir.path), []); // nothing was created
});

Deno.test("mmap-ex2: a file in a missing directory is a clear error naming it, exit 1", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/missing/shared_mmap`;
  const r = await run("mmap-ex2", ["--file", path, "s"], { cwd: dir.path });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, `mmap-ex2: open ${path}: ENOENT (No such file or directory)\n`);
});

Deno.test("mmap-ex2: a file that cannot be mapped (/dev/null) is a clear error, exit 1", async () => {
  const r = await run("mmap-ex2", ["--file", "/dev/null", "p"]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "74 byte writing... to file -> /dev/null\n");
  assert.equal(r.stderr, "mmap-ex2: mmap /dev/null: ENODEV (No such device)\n");
});

// ---- signals and a killed peer ----------------------------------------------

for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  Deno.test(`mmap-ex2: ${signal} at the prompt exits ${code}`, async () => {
    await using dir = await tempDir();
    await using p = start("mmap-ex2", ["s"], { cwd: dir.path });
    await prompts(p, 1);
    p.kill(signal);
    const r = await p.finish();
    assert.equal(r.code, code);
    assert.equal(r.stderr, "");
    assert.deepEqual(names(dir.path), ["shared_mmap"]);
  });
}

Deno.test("mmap-ex2: the other side is SIGKILLed: the survivor still sees its write and ends cleanly", async () => {
  // Decision: a shared mapping has no connection to lose. What the killed
  // process wrote is in the file's pages; the survivor carries on.
  await using dir = await tempDir();
  await using a = start("mmap-ex2", ["s"], { cwd: dir.path });
  await using b = start("mmap-ex2", ["s"], { cwd: dir.path });
  await prompts(a, 1);
  await prompts(b, 1);
  await type(a, "last words\n", 1);
  a.kill("SIGKILL");
  const ra = await a.finish();
  assert.equal(ra.signal, "SIGKILL");
  await type(b, "*\n", 1);
  await b.closeStdin();
  const rb = await b.finish();
  assert.equal(rb.code, 0);
  assert.equal(rb.stdout, HEADER + PROMPT + current(mapped("last words\n")) + PROMPT + "\n");
  assert.deepEqual(
    await Deno.readFile(`${dir.path}/shared_mmap`),
    encoder.encode(`last words\n${CONTENTS.slice(11)}\0`),
  );
  // The next run after the SIGKILL: the file is the user's; the run rewrites its text.
  const next = await run("mmap-ex2", ["s"], { cwd: dir.path, stdin: "*\n" });
  assert.equal(next.stdout, HEADER + PROMPT + current(mapped("")) + PROMPT + "\n");
  assert.equal(next.code, 0);
  assert.deepEqual(await Deno.readFile(`${dir.path}/shared_mmap`), FILE_BYTES);
  assert.deepEqual(names(dir.path), ["shared_mmap"]);
});

Deno.test("mmap-ex2: the file removed from outside, the other side Ctrl+C'd, the file truncated: what each survivor sees", async () => {
  // `rm shared_mmap` while two run: the name goes, the pages stay; they still share them.
  // A new run makes a new file under the name and shares nothing with them.
  const removed = async () => {
    await using dir = await tempDir();
    await using a = start("mmap-ex2", ["s"], { cwd: dir.path });
    await using b = start("mmap-ex2", ["s"], { cwd: dir.path });
    await prompts(a, 1);
    await prompts(b, 1);
    await Deno.remove(`${dir.path}/shared_mmap`);
    await type(a, "after rm\n", 1);
    await type(b, "*\n", 1);
    await using c = start("mmap-ex2", ["s"], { cwd: dir.path });
    await prompts(c, 1);
    await type(c, "*\n", 1);
    a.kill("SIGINT"); // Ctrl+C of one side: the others go on
    assert.equal((await a.finish()).code, 130);
    await type(b, "*\n", 2);
    for (const p of [b, c]) await p.closeStdin();
    const [rb, rc] = [await b.finish(), await c.finish()];
    assert.equal(
      rb.stdout,
      HEADER + PROMPT + current(mapped("after rm\n")) + PROMPT + current(mapped("after rm\n")) +
        PROMPT + "\n",
    );
    assert.equal(rc.stdout, HEADER + PROMPT + current(mapped("")) + PROMPT + "\n");
    assert.deepEqual([rb.code, rc.code, rb.stderr, rc.stderr], [0, 0, "", ""]);
    assert.deepEqual(await Deno.readFile(`${dir.path}/shared_mmap`), FILE_BYTES);
  };
  // The file truncated from outside: touching the mapping past the end of the file is
  // SIGBUS, for the port as for the C (the kernel kills the process; nothing can report it).
  const truncated = async () => {
    await using dir = await tempDir();
    await using a = start("mmap-ex2", ["s"], { cwd: dir.path });
    await prompts(a, 1);
    await Deno.truncate(`${dir.path}/shared_mmap`, 0);
    await a.write("*\n");
    const r = await a.finish();
    assert.equal(r.signal, "SIGBUS");
    assert.equal(r.stdout, HEADER + PROMPT);
  };
  await allOf(removed(), truncated());
});

// ---- lib/mmap.ts -------------------------------------------------------------

/** A temp file holding `text`, opened O_RDWR. */
async function fileWith(dir: string, text: string) {
  const path = `${dir}/data.bin`;
  await Deno.writeTextFile(path, text);
  return { path, fd: openFile(path, O.RDWR) };
}

Deno.test("lib mmap: MAP_PRIVATE is copy-on-write, MAP_SHARED writes reach the file", async () => {
  await using dir = await tempDir();
  const { path, fd } = await fileWith(dir.path, "a".repeat(4096));
  using _fd = fd;
  {
    using priv = mmap(4096, PROT.READ | PROT.WRITE, MAP.PRIVATE, fd.fd, 0, { subject: path });
    using shared = mmap(4096, PROT.READ | PROT.WRITE, MAP.SHARED, fd.fd, 0, { subject: path });
    priv.bytes.fill(0x62); // "b"
    priv.msync(MS.SYNC); // succeeds, writes nothing
    assert.equal(priv.bytes[0], 0x62);
    assert.equal(shared.bytes[0], 0x61); // the other mapping does not see it
    assert.equal(await Deno.readTextFile(path), "a".repeat(4096)); // nor the file
    shared.bytes[1] = 0x63; // "c"
    msync(shared, MS.SYNC);
    assert.equal((await Deno.readTextFile(path)).slice(0, 3), "aca");
    assert.equal(priv.bytes[1], 0x62); // the private copy stays
  }
});

Deno.test("lib mmap: use after unmap throws a clear error; old views are empty; double unmap is harmless", () => {
  const m = mmap(4096, PROT.READ | PROT.WRITE, MAP.PRIVATE | MAP.ANONYMOUS);
  const view = m.bytes;
  view[0] = 7;
  assert.equal(m.read(0, 1)[0], 7);
  assert.ok(m.address > 0n);
  munmap(m);
  assert.equal(m.unmapped, true);
  assert.equal(view.length, 0); // revoked (detached), not dangling
  assert.equal(view[0], undefined);
  view[0] = 1; // ignored, no crash
  for (const use of [() => m.bytes, () => m.address, () => m.read(), () => m.msync()]) {
    assert.throws(use, /the mapping was unmapped \(munmap\): its memory can no longer be used/);
  }
  m.unmap();
  munmap(m);
});

Deno.test("lib mmap: `using` unmaps at the end of the block", () => {
  let outer;
  {
    using m = mmap(8192, PROT.READ | PROT.WRITE, MAP.SHARED | MAP.ANONYMOUS);
    m.bytes[8191] = 1;
    m.msync(MS.ASYNC | MS.INVALIDATE);
    outer = m;
  }
  assert.equal(outer.unmapped, true);
  assert.throws(() => outer.bytes, /unmapped/);
});

Deno.test("lib mmap: MAP_FAILED is checked: a bad fd gives LibcError EBADF from mmap", () => {
  // The raw call returns (void *) -1, not NULL.
  const raw = libc.mmap(null, 64n, PROT.READ, MAP.SHARED, 999_999, 0n);
  assert.equal(Deno.UnsafePointer.value(raw), MAP_FAILED);
  assert.throws(
    () => mmap(64, PROT.READ | PROT.WRITE, MAP.SHARED, 999_999, 0, { subject: "nothing" }),
    (e: unknown) =>
      e instanceof LibcError && e.call === "mmap" && e.code === "EBADF" &&
      e.message === "mmap nothing: EBADF (Bad file descriptor)",
  );
});

Deno.test("lib mmap: an empty (or too short) file is refused with a clear error, not SIGBUS", async () => {
  await using dir = await tempDir();
  const { path, fd } = await fileWith(dir.path, "");
  using _fd = fd;
  assert.throws(
    () => mmap(64, PROT.READ | PROT.WRITE, MAP.SHARED, fd.fd, 0, { subject: path }),
    new RegExp(
      `^Error: mmap ${
        escapeRegExp(path)
      }: the file is 0 bytes, shorter than the 64 bytes to map; ` +
        `touching the pages past its end would kill the process \\(SIGBUS\\)`,
    ),
  );
  ftruncate(fd.fd, 10);
  assert.throws(() => mmap(64, PROT.READ, MAP.PRIVATE, fd.fd), /mmap fd \d+: the file is 10 bytes/);
  // A known size too small to cover the mapping does not skip the check.
  assert.throws(
    () => mmap(64, PROT.READ, MAP.PRIVATE, fd.fd, 0, { knownMinSize: 10 }),
    /the file is 10 bytes/,
  );
  ftruncate(fd.fd, 64);
  assert.equal(fstat(fd.fd).size, 64);
  assert.equal(fstat(fd.fd).type, "regular file");
  using m = mmap(64, PROT.READ | PROT.WRITE, MAP.SHARED, fd.fd);
  assert.deepEqual(m.bytes, new Uint8Array(64)); // ftruncate's new bytes are zeros
});

Deno.test("lib mmap: a read-only mapping gives copies, never a writable view", async () => {
  await using dir = await tempDir();
  const { fd } = await fileWith(dir.path, "hello, world");
  using _fd = fd;
  using m = mmap(12, PROT.READ, MAP.SHARED, fd.fd);
  assert.equal(new TextDecoder().decode(m.read()), "hello, world");
  assert.equal(new TextDecoder().decode(m.read(7, 5)), "world");
  assert.throws(() => m.bytes, /not PROT_READ\|PROT_WRITE: writing through a view would crash/);
  assert.throws(() => m.read(10, 5), RangeError);
});

Deno.test("lib mmap: bad lengths and MAP_FIXED are refused before any call", () => {
  assert.throws(() => mmap(0, PROT.READ, MAP.PRIVATE | MAP.ANONYMOUS), RangeError);
  assert.throws(() => mmap(4096, PROT.READ, MAP.PRIVATE | MAP.ANONYMOUS | MAP.FIXED), TypeError);
});
