/**
 * Test of examples/pipes/pipe-semantics.ts: run it as `deno task
 * pipe-semantics --json` and assert the outcome of every experiment, as
 * the kernel answered it (not merely that the program ran).
 */
import assert from "node:assert/strict";
import { run } from "./_helpers/run.ts";

interface Experiment {
  n: number;
  title: string;
  rule: string;
  did: string;
  kernel: string;
  figures: Record<string, number | string | boolean>;
}

Deno.test("pipe-semantics --json: every rule's outcome, measured", async () => {
  const r = await run("pipe-semantics", ["--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  const { experiments } = JSON.parse(r.stdout) as { experiments: Experiment[] };
  assert.deepEqual(experiments.map((e) => e.n), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const f = (n: number) => experiments[n - 1].figures;
  for (const e of experiments) {
    assert.ok(e.rule && e.did && e.kernel, `experiment ${e.n} explains itself`);
  }

  // 1. A blocking read returns what is there, not what was asked for.
  assert.equal(f(1).asked, 100);
  assert.equal(f(1).firstRead, 5);
  assert.equal(f(1).firstText, "hello");
  assert.equal(f(1).secondText, "world");
  // 2. EOF (0) once every writer has closed.
  assert.equal(f(2).readAfterWritersClosed, 0);
  // 3. O_NONBLOCK read on an empty pipe: EAGAIN; 0 once the writer is gone.
  assert.equal(f(3).errnoWhileWriterOpen, "EAGAIN");
  assert.equal(f(3).readAfterWriterClosed, 0);
  // 4. O_NONBLOCK write into a full pipe: EAGAIN, nothing written.
  const capacity = f(9).capacityReported as number;
  assert.equal(f(4).filled, capacity);
  assert.equal(f(4).errnoOneByte, "EAGAIN");
  assert.equal(f(4).errnoPage, "EAGAIN");
  assert.equal(f(4).drained, f(4).filled);
  assert.equal(f(4).nothingWritten, true);
  // 5. A large non-blocking write is partial (one pipe-full), then EAGAIN.
  assert.ok((f(5).written as number) < (f(5).asked as number));
  assert.equal(f(5).written, capacity);
  assert.equal(f(5).errnoWhenFull, "EAGAIN");
  // 6. A blocking write larger than the pipe writes everything.
  assert.ok((f(6).asked as number) > capacity);
  assert.equal(f(6).written, f(6).asked);
  assert.equal(f(6).counted, f(6).asked);
  // 7. Writes of PIPE_BUF bytes from 4 processes never interleave. (Larger
  // writes *may*: that is not asserted, only that all their bytes came.)
  assert.equal(f(7).smallRecordBytes, f(9).pipeBuf);
  assert.equal(f(7).smallTotalBytes, f(7).smallExpectedBytes);
  assert.equal(f(7).smallSplitRecords, 0);
  assert.ok((f(7).largeRecordBytes as number) > capacity);
  assert.equal(f(7).largeTotalBytes, f(7).largeExpectedBytes);
  // 8. No reader: EPIPE here (Deno ignores SIGPIPE), SIGPIPE kills a child.
  assert.equal(f(8).errnoHere, "EPIPE");
  assert.equal(f(8).childSignal, "SIGPIPE");
  // 9. PIPE_BUF is not the capacity.
  assert.equal(f(9).pipeBuf, 4096);
  assert.equal(f(9).capacityFilled, capacity);
  assert.ok(capacity > (f(9).pipeBuf as number), "capacity > PIPE_BUF (65536 by default)");
  assert.ok((f(9).resizedTo as number) >= 100_000);
  assert.equal(f(9).filledAfterResize, f(9).resizedTo);
  assert.equal(f(9).onePageSize, f(9).pipeBuf);
  assert.equal(f(9).filledOnePage, f(9).pipeBuf);
});

Deno.test("pipe-semantics: the text report shows rule, action and answer per experiment", async () => {
  const r = await run("pipe-semantics");
  assert.equal(r.code, 0, r.stderr);
  for (let n = 1; n <= 9; n++) assert.match(r.stdout, new RegExp(`^${n}\\. `, "m"));
  assert.equal((r.stdout.match(/^ {3}rule: {3}/gm) ?? []).length, 9);
  assert.equal((r.stdout.match(/^ {3}did: {4}/gm) ?? []).length, 9);
  assert.equal((r.stdout.match(/^ {3}kernel: /gm) ?? []).length, 9);
  assert.match(r.stdout, /PIPE_BUF = 4096; F_GETPIPE_SZ = \d+/);
  assert.match(r.stdout, /yes killed by SIGPIPE/);
});

Deno.test("pipe-semantics: unknown arguments print the usage, exit 1", async () => {
  const r = await run("pipe-semantics", ["--nope"]);
  assert.equal(r.stderr, "usage: pipe-semantics [--json]\n");
  assert.equal(r.code, 1);
});
