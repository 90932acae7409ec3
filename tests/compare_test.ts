/**
 * `deno task compare`: every C original and its port make the same libc
 * calls, except the departures each port's header lists (section "Calls
 * that differ from the C"). Runs the real task (the C traced through the
 * LD_PRELOAD interposer, the port through IPC_TRACE), all nine programs in
 * parallel. Needs `cc` and `stdbuf`: without them the test fails with
 * requireTool's message, there is no quiet skip.
 *
 * Also unit tests of the alignment and of the departures' syntax
 * (scripts/compare/diff.ts).
 */
import "./_helpers/bind_libc.ts"; // before anything calls libc: see the module
import assert from "node:assert/strict";
import { requireTool } from "../scripts/c_originals.ts";
import { TaskProcess, taskProgram } from "../scripts/task_process.ts";
import {
  align,
  differences,
  foldWaits,
  isTerminalIo,
  pairProcesses,
  parseDepartures,
  parseTrace,
  processesOf,
  render,
  unused,
} from "../scripts/compare/diff.ts";
import { LeakGuard } from "./_helpers/leaks.ts";

/** Run `deno task compare args...` to its end. */
async function compare(args: string[]) {
  await using p = new TaskProcess("compare", taskProgram("compare", args));
  await p.closeStdin();
  return await p.finish();
}

interface Result {
  program: string;
  key: number;
  passed: boolean;
  processes: Array<{ name: string; steps: Array<{ kind: string; token: string }> }>;
  differences: Array<{ process: string; code: string; listedAs: string | null }>;
  unlisted: string[];
  problems: string[];
}

Deno.test("compare --all: every difference between a C original and its port is listed in the port's header", async () => {
  requireTool("cc");
  requireTool("stdbuf");
  const [all, one] = await Promise.all([
    compare(["--all", "--json"]),
    compare(["shmproc1", "shmproc2"]),
  ]);

  const results = JSON.parse(all.stdout) as Result[];
  // Nothing left behind: the segments of the keys compare used.
  using guard = new LeakGuard({ keys: results.map((r) => r.key) });
  assert.deepEqual(
    results.map((r) => r.program),
    [
      "pipe_parent_child",
      "cpipe",
      "writefifo",
      "readfifo",
      "shmproc1",
      "shmproc2",
      "write_shm",
      "read_shm",
      "mmap_ex2",
    ],
  );
  const failures = results.filter((r) => !r.passed).map((r) =>
    `${r.program}: unlisted ${r.unlisted.join(", ") || "none"}; ${r.problems.join("; ")}`
  );
  assert.deepEqual(failures, [], `${failures.join("\n")}\n${all.stderr}`);
  assert.equal(all.code, 0, all.stderr);
  // Each program made IPC calls on both sides, and they were aligned.
  for (const r of results) {
    assert.ok(r.processes.some((p) => p.steps.some((s) => s.kind === "both")), r.program);
  }
  // The departures named in the brief are seen and listed.
  const listed = (program: string, code: string) =>
    results.find((r) => r.program === program)!.differences.some((d) =>
      d.code === code && d.listedAs !== null
    );
  assert.ok(listed("pipe_parent_child", "-fork"));
  assert.ok(listed("pipe_parent_child", "+posix_spawnp"));
  assert.ok(listed("cpipe", "-execlp"));

  // The text: shmget in both columns, departures marked, a legend for the marks.
  assert.equal(one.code, 0, one.stdout + one.stderr);
  const shmget = one.stdout.split("\n").find((l) => l.includes("shmget("));
  assert.ok(shmget, one.stdout);
  const [c, port] = shmget.split(" | ");
  // The flags may be cut short ("IPC_CREA…") to fit the column: how much
  // depends on the width of the shmid, which the kernel picks.
  assert.match(c, /^ {3}shmget\(0x[0-9a-f]{8}, 4096, IPC_C.*\) = \d+ *$/);
  assert.match(port, /^ {3}shmget\(0x[0-9a-f]{8}, 4096, IPC_C.*\) = \d+$/);
  assert.match(one.stdout, /^Marks: - only the C makes the call, \+ only the port/m);
  assert.match(one.stdout, /^shmproc1: (the same calls on both sides|\d+ differences?, .*listed)/m);
  // shmproc2's one departure, marked: + only the port, * listed in its header.
  assert.match(one.stdout, /\| \+\* shmctl\(\d+, IPC_STAT, \.\.\.\) = 0$/m);
  assert.match(one.stdout, /^shmproc2: 1 difference, listed in examples\/sysv-shm\/shmproc2\.ts$/m);
  for (const line of one.stdout.split("\n")) assert.ok(line.length <= 100, line);
  guard.check();
});

Deno.test("compare: --help, and a usage line with exit 2 on bad arguments", async () => {
  const help = await compare(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^usage: deno task compare/);
  for (const args of [[], ["nope"], ["--all", "cpipe"], ["--bogus", "cpipe"]]) {
    const bad = await compare(args);
    assert.equal(bad.code, 2, args.join(" "));
    assert.match(bad.stderr, /usage: deno task compare/);
  }
});

const HEADER = `/**
 * A port.
 *
 * Calls that differ from the C (checked by \`deno task compare\`):
 * - \`-fork\` \`+posix_spawnp\`: a JS runtime cannot fork; it spawns a
 *   new program instead.
 * - \`~shmctl(IPC_RMID)\`: before shmdt.
 * - \`child: -close\`: the child's fds close at its exit.
 *
 * @module
 */
`;

Deno.test("compare: the departures' syntax", () => {
  const d = parseDepartures(HEADER)!;
  assert.deepEqual(
    d.map((x) => [x.process, x.sign, x.token]),
    [
      [undefined, "-", "fork"],
      [undefined, "+", "posix_spawnp"],
      [undefined, "~", "shmctl(IPC_RMID)"],
      ["child", "-", "close"],
    ],
  );
  assert.equal(d[0].why, "a JS runtime cannot fork; it spawns a new program instead.");
  assert.equal(parseDepartures("/**\n * No list.\n * @module\n */\n"), undefined);
  assert.deepEqual(
    parseDepartures(
      "/**\n * Calls that differ from the C (checked by `deno task compare`): none.\n */\n",
    ),
    [],
  );
  assert.throws(
    () => parseDepartures(HEADER.replace("`~shmctl(IPC_RMID)`", "`shmctl`")),
    /bad departure code `shmctl`/,
  );
  assert.throws(
    () => parseDepartures(HEADER.replace("- `child: -close`:", "- close:")),
    /must open with `codes`/,
  );
});

Deno.test("compare: alignment, moved calls, polls, terminal I/O and marks", () => {
  const c = processesOf(
    parseTrace(
      [
        "[p-0123456789abcdef 1] shmget(0x00001111, 4096, IPC_CREAT|0660) = 5",
        "[p-0123456789abcdef 1] shmat(5, NULL, 0) = 0x7f0000000000",
        "[p-0123456789abcdef 1] shmdt(0x7f0000000000) = 0",
        "[p-0123456789abcdef 1] shmctl(5, IPC_RMID, NULL) = 0",
        "[p-0123456789abcdef 1] fork() = 2",
        "[p-0123456789abcdef:child 2] close(4) = 0",
        "[p-0123456789abcdef:child 2] read(3, <4 bytes>) = 4",
      ].join("\n"),
    ),
    { roleOf: (r) => r.replace(/-[0-9a-f]{16}/, "") },
  );
  assert.deepEqual(c.map((p) => p.role), ["p", "p:child"]);
  const port = processesOf(parseTrace(
    [
      "press ENTER[main 7] shmget(0x00001111, 4096, IPC_CREAT|0660) = 6",
      "[main 7] shmat(6, NULL, 0) = 0x7f0000001000",
      "[main 7] read(0, <4096 bytes>) = 1",
      "[main 7] poll([{fd=0, events=0x1}], 1, 50) = 0",
      "[main 7] shmctl(6, IPC_RMID, NULL) = 0",
      "[main 7] shmdt(0x7f0000001000) = 0",
      '[main 7] posix_spawnp("deno", ["deno"], actions=[]) = 0 (pid 8)',
      "[child 8] read(3, <4 bytes>) = 4",
      "[child 8] poll([{fd=3, events=0x1}], 1, 50) = 0",
      "[child 8] read(3, <4 bytes>) = 4",
    ].join("\n"),
  ));
  // fd 0 is terminal I/O, left out; the poll between two reads is folded.
  assert.ok(isTerminalIo(parseTrace("[a 1] write(1, <3 bytes>) = 3")[0]));
  assert.ok(!isTerminalIo(parseTrace("[a 1] dup2(4, 1) = 1")[0]));
  assert.deepEqual(port[1].entries.map((e) => [e.token, e.count]), [["poll", 1], ["read", 2]]);
  assert.deepEqual(foldWaits(port[1].entries), port[1].entries);

  const departures = parseDepartures(HEADER)!;
  const pairs = pairProcesses(c, port, departures);
  assert.deepEqual(pairs.map((p) => p.name), ["main", "child"]);
  // ~shmctl(IPC_RMID): the move is shown on IPC_RMID, not on shmdt.
  assert.deepEqual(
    pairs[0].steps.map((s) => `${s.kind} ${(s.c ?? s.port)!.token}`),
    [
      "both shmget",
      "both shmat",
      "port shmctl(IPC_RMID)",
      "both shmdt",
      "c shmctl(IPC_RMID)",
      "c fork",
      "port posix_spawnp",
    ],
  );
  const found = differences(pairs, departures);
  assert.deepEqual(
    found.map((d) => `${d.process}: ${d.sign}${d.token} ${d.listed?.code ?? "UNLISTED"}`),
    [
      "main: +shmctl(IPC_RMID) ~shmctl(IPC_RMID)",
      "main: -shmctl(IPC_RMID) ~shmctl(IPC_RMID)",
      "main: -fork -fork",
      "main: +posix_spawnp +posix_spawnp",
      "child: -close child: -close",
      "child: +poll UNLISTED",
    ],
  );
  assert.deepEqual(unused(departures, found), []);
  const text = render(pairs, found).join("\n");
  assert.match(text, /^~\* shmctl\(5, IPC_RMID, NULL\) = 0 +\| /m);
  assert.match(text, /\| \+! poll\(\[\{fd=3, events=0x1\}\], 1, 50\) = 0$/m);
  assert.match(text, /^ {3}read\(3, <4 bytes>\) = 4 +\| {4}read\(3, <4 bytes>\) = 4 ×2$/m);

  // Without a ~ listing the move shows on shmdt: at a tie the C's extra call comes first.
  assert.deepEqual(
    align(c[0].entries, port[0].entries).map((s) => `${s.kind} ${(s.c ?? s.port)!.token}`),
    [
      "both shmget",
      "both shmat",
      "c shmdt",
      "both shmctl(IPC_RMID)",
      "c fork",
      "port shmdt",
      "port posix_spawnp",
    ],
  );
});
