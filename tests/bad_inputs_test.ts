/**
 * Errors are part of the lesson: every bad input in scripts/bad_inputs.ts
 * gives a message and a non-zero exit, and the README's table says exactly
 * what the programs print.
 */
import "./_helpers/bind_libc.ts"; // before anything calls libc: see the module
import assert from "node:assert/strict";
import { BAD_INPUTS, badInputTable, type Outcome, runBadInput } from "../scripts/bad_inputs.ts";
import { ROOT } from "./_helpers/run.ts";
import { mapLimited } from "../scripts/task_process.ts";
import { ignoreIf, underEmulation } from "./_helpers/ignore.ts";

/** Every case, run once (by the first test that asks) for the tests of this file. */
let outcomes: Promise<Outcome[]> | undefined;
function allOutcomes(): Promise<Outcome[]> {
  return outcomes ??= mapLimited(BAD_INPUTS, runBadInput);
}

/**
 * Whether case `i` can be checked here: under qemu-user a case that checks
 * what qemu cannot emulate is left out of the tests below and reported as
 * ignored by a test of its own.
 */
const checkable = BAD_INPUTS.map((c) => c.emulation === undefined || !underEmulation(c.emulation));
for (const c of BAD_INPUTS.filter((c) => c.emulation !== undefined)) {
  const name = `bad input under emulation: ${c.task} ${c.args.join(" ")}`;
  Deno.test({ name, ignore: ignoreIf(name, underEmulation(c.emulation!)) }, async () => {
    const o = (await allOutcomes())[BAD_INPUTS.indexOf(c)];
    assert.notEqual(o.code, 0, `${c.task} ${c.args.join(" ")} exited 0`);
    assert.ok(o.message.length > 0, `${c.task} ${c.args.join(" ")} printed nothing on stderr`);
  });
}

Deno.test("every bad input: a message on stderr and a non-zero exit", async () => {
  const results = await allOutcomes();
  BAD_INPUTS.forEach((c, i) => {
    if (!checkable[i]) return;
    const o = results[i];
    assert.notEqual(o.code, 0, `${c.task} ${c.args.join(" ")} exited 0`);
    assert.ok(o.message.length > 0, `${c.task} ${c.args.join(" ")} printed nothing on stderr`);
    assert.doesNotMatch(
      o.message,
      /^error: Uncaught|at file:\/\//,
      `${c.task}: a crash, not a message`,
    );
  });
});

Deno.test("every program has at least one bad-input case", () => {
  const tasks = JSON.parse(Deno.readTextFileSync(`${ROOT}/deno.json`)).tasks as Record<
    string,
    string
  >;
  // A program's task runs a file of examples/ (`deno task check` names examples/ too).
  const programs = Object.entries(tasks).filter(([, cmd]) =>
    cmd.startsWith("deno run") &&
    (cmd.split(/\s+/).find((w) => w.endsWith(".ts")) ?? "").startsWith("examples/")
  ).map((
    [t],
  ) => t);
  const covered = new Set(BAD_INPUTS.map((c) => c.task));
  assert.deepEqual(programs.filter((p) => !covered.has(p)), []);
});

/** Compare tables as Markdown, not as text: `deno fmt` pads the cells. */
function normalizeTable(table: string): string {
  const skipped = BAD_INPUTS.filter((_, i) => !checkable[i]).map((c) =>
    `\`${[c.task, ...c.args].join(" ")}\``
  );
  return table.trim().split("\n").filter((line) => !skipped.some((s) => line.includes(s))).map((
    line,
  ) => line.replace(/\s+/g, " ").replace(/\| -+ /g, "| --- ").replace(/ -+ \|/g, " --- |").trim())
    .join("\n");
}

Deno.test("README's bad-input table is what the programs really print", async () => {
  const readme = Deno.readTextFileSync(`${ROOT}/README.md`);
  const m = readme.match(/<!-- bad-inputs:start -->\n([^]*?)\n<!-- bad-inputs:end -->/);
  assert.ok(m, "README.md has no bad-inputs section");
  assert.equal(
    normalizeTable(m[1]),
    normalizeTable(await badInputTable(allOutcomes())),
    "the programs' messages changed: run `deno task bad-inputs` and paste the table into README.md",
  );
});
