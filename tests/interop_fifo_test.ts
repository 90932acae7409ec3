/**
 * writefifo/readfifo against their C originals (examples/fifo/*.c, seed
 * 000): every mix of C and port, in both start orders, at a person's pace
 * (each line typed after the prompt, the next one only once the reader
 * printed the last), gives the transcript that C with C gives; and the
 * wire format is shown where pace does not help: the C pair merges fast
 * lines ("helloworldquit"), two ports do not.
 *
 * Like the seed (`mkfifo sallama`), the test makes the FIFO first: the C
 * programs expect it. Each case has its own temp directory, which must be
 * as it was at the end once the test removed its FIFO.
 */
import "./_helpers/bind_libc.ts"; // before anything calls libc: see the module
import assert from "node:assert/strict";
import { HANG_DEADLINE_MS, start, startC, type Started, tempDir } from "./_helpers/run.ts";
import { LeakGuard } from "./_helpers/leaks.ts";
import { buildOriginal } from "../scripts/c_originals.ts";
import { O, openFile } from "../lib/libc.ts";
import { mkfifo } from "../lib/fifo.ts";
import { unlink } from "../lib/files.ts";

type Side = "C" | "port";
const SIDES: Side[] = ["C", "port"];

/** The line a person types, and what C-with-C prints for it. */
const TYPED = ["hello", "world", "quit"];

async function startSide(program: "writefifo" | "readfifo", side: Side, dir: string) {
  if (side === "port") return start(program, [], { cwd: dir });
  return startC(`C ${program}`, await buildOriginal(program), [], { cwd: dir });
}

/**
 * Wait until process `pid` sleeps in the kernel in `open` of a FIFO that
 * has no partner yet (`/proc/PID/wchan` is `wait_for_partner`). Polls
 * /proc: there is no event for it. Fails after HANG_DEADLINE_MS.
 */
async function waitUntilInFifoOpen(p: Started): Promise<void> {
  const deadline = Date.now() + HANG_DEADLINE_MS;
  for (;;) {
    let wchan = "";
    try {
      wchan = Deno.readTextFileSync(`/proc/${p.pid}/wchan`);
    } catch {
      // ended: reported below
    }
    if (wchan === "wait_for_partner") return;
    if (p.ended || Date.now() > deadline) {
      throw new Error(`${p.name} never waited in open (wchan ${wchan}):\n${p.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Wait until the first of the pair is waiting for its partner. */
async function waitingForPartner(p: Started, side: Side, program: string): Promise<void> {
  if (side === "C") return await waitUntilInFifoOpen(p);
  // The ports do not block in open (see their headers); they say that they wait.
  if (program === "readfifo") return await p.waitFor("waiting for a writer", "stderr");
  await p.waitFor("waiting for a reader", "stderr");
}

for (const writerSide of SIDES) {
  for (const readerSide of SIDES) {
    for (const first of ["reader", "writer"] as const) {
      Deno.test(`FIFO: ${writerSide} writefifo → ${readerSide} readfifo, ${first} first, typed`, async () => {
        await using dir = await tempDir();
        const guard = new LeakGuard({ dir: dir.path });
        const fifo = `${dir.path}/testfifo`;
        mkfifo(fifo, 0o644); // $ mkfifo testfifo
        try {
          let reader: Started, writer: Started;
          if (first === "reader") {
            reader = await startSide("readfifo", readerSide, dir.path);
            await waitingForPartner(reader, readerSide, "readfifo");
            writer = await startSide("writefifo", writerSide, dir.path);
          } else {
            writer = await startSide("writefifo", writerSide, dir.path);
            await waitingForPartner(writer, writerSide, "writefifo");
            reader = await startSide("readfifo", readerSide, dir.path);
          }
          await using _r = reader;
          await using _w = writer;
          let expected = "";
          for (const [i, line] of TYPED.entries()) {
            await writer.waitFor("text:".repeat(i + 1));
            await writer.write(`${line}\n`);
            if (line !== "quit") {
              expected += `${line}\n`;
              await reader.waitFor(expected);
            }
          }
          const w = await writer.finish();
          const r = await reader.finish();
          // What C with C prints, whichever side is which:
          assert.equal(r.stdout, "hello\nworld\n", `reader printed:\n${r.stdout}`);
          assert.equal(r.code, 0);
          assert.equal(w.stdout, "text:text:text:");
          assert.equal(w.code, 0);
          for (const [side, out] of [[readerSide, r], [writerSide, w]] as const) {
            if (side === "C") assert.equal(out.stderr, "", "the C programs print nothing else");
            else assert.doesNotMatch(out.stderr, /error|EPIPE|without sending quit/i);
          }
        } finally {
          unlink(fifo);
        }
        guard.check();
      });
    }
  }
}

/**
 * Make every write of `writer` reach the pipe before any read: the test
 * holds the FIFO open for reading (so the writer's open returns), lets the
 * writer run to its end, then opens it for writing too (so the reader's
 * open returns) and starts the reader on a pipe that holds everything.
 */
async function allAtOnce(writerSide: Side, readerSide: Side) {
  await using dir = await tempDir();
  const guard = new LeakGuard({ dir: dir.path });
  const fifo = `${dir.path}/testfifo`;
  mkfifo(fifo, 0o644);
  try {
    using _hold = openFile(fifo, O.RDONLY | O.NONBLOCK | O.CLOEXEC);
    await using writer = await startSide("writefifo", writerSide, dir.path);
    await writer.write(TYPED.map((l) => `${l}\n`).join(""));
    const w = await writer.finish();
    assert.equal(w.code, 0);
    const keepOpen = openFile(fifo, O.WRONLY | O.NONBLOCK | O.CLOEXEC);
    await using reader = await startSide("readfifo", readerSide, dir.path);
    await reader.waitFor("\n");
    keepOpen.close(); // the reader sees end of file once it has read everything
    return await reader.finish();
  } finally {
    unlink(fifo);
    guard.check();
  }
}

Deno.test("FIFO, the original's failure: C writer → C reader, three fast lines print as one", async () => {
  const r = await allAtOnce("C", "C");
  assert.equal(r.stdout, "helloworldquit\n"); // and `quit` was never seen on its own
  assert.equal(r.code, 0);
});

Deno.test("FIFO, fixed between ports: the same fast lines arrive one per line, quit stops", async () => {
  const r = await allAtOnce("port", "port");
  assert.equal(r.stdout, "hello\nworld\n");
  assert.equal(r.code, 0);
  assert.doesNotMatch(r.stderr, /without sending quit/);
});

Deno.test("FIFO: the port writer's messages are C strings, strlen + 1 bytes each", async () => {
  await using dir = await tempDir();
  const fifo = `${dir.path}/testfifo`;
  mkfifo(fifo, 0o644);
  try {
    // `cat` is the reader: it shows the bytes on the wire as they are.
    const cat = new Deno.Command("cat", { args: [fifo], stdout: "piped" }).spawn();
    await using writer = start("writefifo", [], { cwd: dir.path });
    await writer.write("hello\n\nquit\n");
    assert.equal((await writer.finish()).code, 0);
    const bytes = new TextDecoder().decode((await cat.output()).stdout);
    assert.equal(bytes, "hello\0\0quit\0");
  } finally {
    unlink(fifo);
  }
});
