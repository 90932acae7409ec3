/**
 * Test of examples/pipes/pipe-semantics.ts: run it as `deno task
 * pipe-semantics --json` and assert every experiment's measured figures
 * against this test's own expectations: the errno each call must fail
 * with, byte counts the test works out from the experiment's parameters,
 * and the pipe capacity the test reads itself with `fcntl(fd,
 * F_GETPIPE_SZ)` on a pipe of its own. The program's own verdicts
 * (`nothingWritten`, `smallExpectedBytes`...) are not what is checked.
 */
import "./_helpers/bind_libc.ts"; // before anything calls libc: see the module
import assert from "node:assert/strict";
import { run } from "./_helpers/run.ts";
import { fcntl, pipe } from "../lib/fd.ts";
import { F } from "../lib/constants.ts";

interface Experiment {
  n: number;
  title: string;
  rule: string;
  did: string;
  kernel: string;
  figures: Record<string, number | string | boolean>;
}

/** PIPE_BUF on Linux (`<linux/limits.h>`), and the page size F_SETPIPE_SZ rounds to. */
const PIPE_BUF = 4096;

/** What this test measures itself, on pipes of its own, with lib/fd.ts. */
function measuredHere(): { capacity: number; resizedTo: number; onePage: number } {
  using fresh = pipe();
  const capacity = fcntl(fresh.write.fd, F.GETPIPE_SZ); // fcntl(fd, F_GETPIPE_SZ)
  using resized = pipe();
  fcntl(resized.write.fd, F.SETPIPE_SZ, 100_000);
  const resizedTo = fcntl(resized.write.fd, F.GETPIPE_SZ);
  using small = pipe();
  fcntl(small.write.fd, F.SETPIPE_SZ, 1);
  const onePage = fcntl(small.write.fd, F.GETPIPE_SZ);
  return { capacity, resizedTo, onePage };
}

Deno.test("pipe-semantics --json: every rule's outcome, measured, against the test's own figures", async () => {
  const here = measuredHere();
  const { capacity } = here;
  // Linux: 16 pages by default; F_SETPIPE_SZ rounds up to a power-of-two number of pages.
  assert.equal(capacity, 16 * PIPE_BUF);
  assert.equal(here.resizedTo, 32 * PIPE_BUF, "100000 bytes = 24.4 pages: 32 pages");
  assert.equal(here.onePage, PIPE_BUF);

  const r = await run("pipe-semantics", ["--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  const { experiments } = JSON.parse(r.stdout) as { experiments: Experiment[] };
  assert.deepEqual(experiments.map((e) => e.n), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const f = (n: number) => experiments[n - 1].figures;
  for (const e of experiments) {
    assert.ok(e.rule && e.did && e.kernel, `experiment ${e.n} explains itself`);
  }

  // 1. A blocking read returns what is there ("hello", 5 bytes), not the 100 asked for.
  assert.equal(f(1).asked, 100);
  assert.equal(f(1).firstRead, 5);
  assert.equal(f(1).firstText, "hello");
  assert.equal(f(1).secondRead, 5);
  assert.equal(f(1).secondText, "world");
  // 2. EOF (0) once every writer has closed (the child exited 0, closing its copy).
  assert.equal(f(2).childExit, 0);
  assert.equal(f(2).readAfterWritersClosed, 0);
  // 3. O_NONBLOCK read on an empty pipe: EAGAIN; 0 once the writer is gone.
  assert.equal(f(3).errnoWhileWriterOpen, "EAGAIN");
  assert.equal(f(3).readAfterWriterClosed, 0);
  // 4. O_NONBLOCK write into a full pipe: EAGAIN, nothing written: the
  // pipe took exactly its capacity, and draining gives back no more.
  assert.equal(f(4).filled, capacity);
  assert.equal(f(4).errnoOneByte, "EAGAIN");
  assert.equal(f(4).errnoPage, "EAGAIN");
  assert.equal(f(4).drained, capacity);
  assert.equal(f(4).nothingWritten, true);
  // 5. A large non-blocking write is partial (one pipe-full), then EAGAIN.
  assert.ok((f(5).asked as number) > capacity);
  assert.equal(f(5).written, capacity);
  assert.equal(f(5).capacity, capacity);
  assert.equal(f(5).errnoWhenFull, "EAGAIN");
  // 6. A blocking write larger than the pipe writes everything; wc counts it all.
  assert.ok((f(6).asked as number) > 3 * capacity);
  assert.equal(f(6).written, f(6).asked);
  assert.equal(f(6).counted, f(6).asked);
  // 7. 4 writers × 64 writes of PIPE_BUF bytes never interleave; 4 × 6
  // larger writes *may* (that is not asserted), but all their bytes come.
  assert.equal(f(7).smallRecordBytes, PIPE_BUF);
  assert.equal(f(7).smallTotalBytes, 4 * 64 * PIPE_BUF);
  assert.equal(f(7).smallSplitRecords, 0);
  assert.ok((f(7).largeRecordBytes as number) > capacity);
  assert.equal(f(7).largeTotalBytes, 4 * 6 * (f(7).largeRecordBytes as number));
  // The program's own expectations agree with the test's.
  assert.equal(f(7).smallExpectedBytes, 4 * 64 * PIPE_BUF);
  assert.equal(f(7).largeExpectedBytes, f(7).largeTotalBytes);
  // 8. No reader: EPIPE here (Deno ignores SIGPIPE), SIGPIPE kills a child.
  assert.equal(f(8).errnoHere, "EPIPE");
  assert.equal(f(8).childSignal, "SIGPIPE");
  // 9. PIPE_BUF is not the capacity; F_SETPIPE_SZ rounds to pages.
  assert.equal(f(9).pipeBuf, PIPE_BUF);
  assert.equal(f(9).capacityReported, capacity);
  assert.equal(f(9).capacityFilled, capacity);
  assert.ok(capacity > PIPE_BUF, "capacity > PIPE_BUF (65536 by default)");
  assert.equal(f(9).resizeAsked, 100_000);
  assert.equal(f(9).resizedTo, here.resizedTo);
  assert.equal(f(9).filledAfterResize, here.resizedTo);
  assert.equal(f(9).onePageSize, here.onePage);
  assert.equal(f(9).filledOnePage, here.onePage);
});

Deno.test("pipe-semantics: the text report shows rule, action and answer per experiment", async () => {
  const r = await run("pipe-semantics");
  assert.equal(r.code, 0, r.stderr);
  for (let n = 1; n <= 9; n++) assert.match(r.stdout, new RegExp(`^${n}\\. `, "m"));
  assert.equal((r.stdout.match(/^ {3}rule: {3}/gm) ?? []).length, 9);
  assert.equal((r.stdout.match(/^ {3}did: {4}/gm) ?? []).length, 9);
  assert.equal((r.stdout.match(/^ {3}kernel: /gm) ?? []).length, 9);
  using own = pipe();
  const capacity = fcntl(own.write.fd, F.GETPIPE_SZ);
  assert.ok(r.stdout.includes(`PIPE_BUF = 4096; F_GETPIPE_SZ = ${capacity};`), r.stdout);
  assert.match(r.stdout, /yes killed by SIGPIPE/);
});

Deno.test("pipe-semantics: unknown arguments print the usage, exit 1", async () => {
  const r = await run("pipe-semantics", ["--nope"]);
  assert.equal(r.stderr, "usage: pipe-semantics [--json]\n");
  assert.equal(r.code, 1);
});
