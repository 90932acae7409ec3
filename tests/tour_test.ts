/**
 * The tour is the end-to-end test: every example, every process, every
 * promise checked. Also: --list and --only work, NO_COLOR is respected.
 */
import assert from "node:assert/strict";
import { run } from "./_helpers/run.ts";

Deno.test("deno task tour: every example does what it promises (exit 0)", async () => {
  const r = await run("tour", [], { env: { NO_COLOR: "1" } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /✘/);
  assert.match(r.stdout, /(\d+) of \1 examples did what they promise/);
  assert.ok(!r.stdout.includes("\u001b["), "NO_COLOR: no escape sequences");
});

Deno.test("tour --list names the topics in course order; --only runs one topic", async () => {
  const list = await run("tour", ["--list"]);
  assert.equal(list.code, 0);
  const topics = list.stdout.split("\n").filter((l) => l && !l.startsWith(" "));
  assert.equal(topics[0], "pipes");
  const only = await run("tour", ["--only", "pipes"], { env: { NO_COLOR: "1" } });
  assert.equal(only.code, 0, only.stdout);
  assert.match(only.stdout, /cpipe ls wc/);
  const bad = await run("tour", ["--only", "no-such-topic"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /no topic "no-such-topic"/);
});

Deno.test("tour --trace shows the processes' system calls", async () => {
  const r = await run("tour", ["--only", "pipes", "--trace"], { env: { NO_COLOR: "1" } });
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /\[child\] \[parent \d+\] pipe2\(/);
});
