/**
 * IPC_TRACE's machine format and `deno task trace`: the lines carry a clock
 * two processes share (a read never returns before the write it reads
 * began), name the object both sides touch, and the trace task draws a run
 * (SVG, Mermaid) of a tour scene or of the reader's own command line.
 * (The tour's pictures and the topic pages' diagrams: tests/tour_test.ts.)
 */
import "./_helpers/bind_libc.ts"; // before anything calls libc: see the module
import assert from "node:assert/strict";
import { run, tempDir } from "./_helpers/run.ts";
import { parseXml } from "./_helpers/xml.ts";
import { parseTrace } from "../scripts/trace/model.ts";
import type { TraceRecord } from "../lib/trace_machine.ts";

Deno.test("IPC_TRACE=FILE: a call made by a using disposer is marked dispose: true, the program's own not", async () => {
  await using dir = await tempDir();
  const file = `${dir.path}/trace.jsonl`;
  const lib = new URL("../lib/libc.ts", import.meta.url).href;
  // The read end closed by the program, the write end left to `using`.
  const code = `import { pipe } from ${JSON.stringify(lib)};\n` +
    "{ using p = pipe(); p.read.close(); }";
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    env: { IPC_TRACE: file },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const closes = parseTrace(await Deno.readTextFile(file)).filter((x) => x.call === "close");
  assert.deepEqual(closes.map((x) => x.dispose ?? false), [false, true]);
});

Deno.test("IPC_TRACE=FILE: JSON lines on one monotonic clock; the human lines stay as they were", async () => {
  await using dir = await tempDir();
  const file = `${dir.path}/trace.jsonl`;
  const r = await run("pipe-parent-child", ["--count", "5"], { env: { IPC_TRACE: file } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "0 1 2 3 4\n");
  assert.equal(r.stderr, "", "the machine format writes nothing on stderr");

  const text = await Deno.readTextFile(file);
  const records = parseTrace(text);
  assert.equal(records.length, text.trim().split("\n").length, "every line is one JSON object");
  for (const x of records) assert.ok(x.t0 <= x.t1, `${x.text}: began before it ended`);
  const of = (role: string, call: string) =>
    records.filter((x) => x.role === role && x.call === call);
  const writes = of("parent", "write");
  const reads = of("child", "read").filter((x) => x.bytes === 4);
  assert.equal(writes.length, 5);
  assert.equal(reads.length, 5);
  // One clock for both processes: the k-th read cannot return before the k-th write began.
  reads.forEach((read, k) => assert.ok(read.t1 >= writes[k].t0, `read ${k} before its write`));
  // Both sides name the same pipe, though the child only inherited its descriptor.
  const pipe = records.find((x) => x.call === "pipe2")!.object!;
  assert.equal(pipe.kind, "pipe");
  assert.ok([...writes, ...reads].every((x: TraceRecord) => x.object?.id === pipe.id));
  const spawn = records.find((x) => x.call === "posix_spawnp")!;
  assert.equal(spawn.spawned, reads[0].pid, "posix_spawnp's line names the child's pid");
  assert.deepEqual(
    records.filter((x) => x.call === "exit").map((x) => [x.role, x.result]).sort(),
    [["child", "0"], ["parent", "0"]],
  );

  // IPC_TRACE=1: the human lines, unchanged.
  const human = await run("pipe-parent-child", ["--count", "1"], { env: { IPC_TRACE: "1" } });
  assert.match(human.stderr, /^\[parent \d+\] pipe2\(\[\d+, \d+\], O_CLOEXEC\) = 0$/m);
  assert.match(human.stderr, /^\[child \d+\] read\(\d+, <4 bytes>\) = 4$/m);
  assert.doesNotMatch(human.stderr, /"t0"/);
});

Deno.test("deno task trace: a scene as Mermaid, a live command line as SVG, a bad name", async () => {
  await using dir = await tempDir();
  // shmproc2 is played by its scene "shmproc1 / shmproc2"; stdout is the Mermaid text alone.
  const mermaid = await run("trace", ["shmproc2", "--mermaid"], { cwd: dir.path });
  assert.equal(mermaid.code, 0, mermaid.stderr);
  assert.match(mermaid.stdout, /^sequenceDiagram\n/);
  assert.match(mermaid.stdout, /^ {4}p_shmproc1->>o_segment_\w+: shmat\(/m);
  assert.match(mermaid.stdout, /^ {4}p_shmproc2->>o_segment_\w+: shmat\(/m);
  assert.match(mermaid.stderr, /━━ shmproc1 \/ shmproc2/, "the narration goes to stderr");

  // --live: the reader's own command line (here: three ints), drawn as SVG in the user's directory.
  const live = await run(
    "trace",
    ["pipe-parent-child", "--live", "--svg", "p.svg", "--", "--count", "3"],
    { cwd: dir.path },
  );
  assert.equal(live.code, 0, live.stderr);
  assert.equal(live.stdout, `0 1 2\ntrace: wrote ${dir.path}/p.svg\n`, "its output, then the path");
  assert.match(live.stderr, /to draw the other side too, run it with IPC_TRACE=\//);
  const elements = parseXml(await Deno.readTextFile(`${dir.path}/p.svg`));
  assert.deepEqual(
    elements.filter((e) => e.attributes.class === "lifeline").map((e) =>
      e.attributes["data-label"]
    ),
    ["parent", "pipe", "child"],
  );
  assert.equal(
    elements.filter((e) => e.attributes.class === "loop").map((e) => e.attributes["data-count"])
      .join(),
    "3,3",
    "three writes and three reads, each drawn once in a loop ×3",
  );

  const bad = await run("trace", ["no-such-program"], { cwd: dir.path });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /no tour scene plays no-such-program/);
  assert.deepEqual([...Deno.readDirSync(dir.path)].map((e) => e.name), ["p.svg"]);
});
