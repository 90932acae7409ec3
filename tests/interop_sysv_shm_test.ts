/**
 * The sysv-shm ports against their C originals (examples/sysv-shm/*.c),
 * as real processes at human pace: every mix of C and port on each side,
 * in both start orders for the shmproc pair, and a C-with-C run of each
 * pair that checks what its seed says.
 *
 * Each case has its own random key (the C is built with `-DSHMKEY=<key>`,
 * the port gets `--key`), its own temp directory as the user's directory,
 * and a LeakGuard: no segment of its key, or made by its processes, may be
 * left. The cases of a group run concurrently (the suite must stay fast on
 * two cores); a failure names its case. A missing `cc` or `stdbuf` fails
 * with requireTool's message: there is no quiet skip.
 *
 * Ports print the C's lines and may print more: a C's stdout is asserted
 * exactly, a port's must hold the C's lines, whole and in order.
 */
import "./_helpers/bind_libc.ts"; // before anything calls libc: see the module
import assert from "node:assert/strict";
import { buildOriginal } from "../scripts/c_originals.ts";
import { formatKey } from "../lib/keys.ts";
import { Segment, shmStat } from "../lib/sysv_shm.ts";
import { randomKey, start, startC, type Started, tempDir } from "./_helpers/run.ts";
import { LeakGuard, sysvObjects } from "./_helpers/leaks.ts";

type Side = "C" | "port";
const SIDES: readonly Side[] = ["C", "port"];

/** The C originals, by their port's task name. */
const C_NAME: Record<string, string> = {
  shmproc1: "shmproc1",
  shmproc2: "shmproc2",
  "write-shm": "write_shm",
  "read-shm": "read_shm",
};

/** The C's lines (seed 000, shmproc1.c / shmproc2.c). */
const SHMPROC1_LINES = ["press ENTER to key to continue..."];
const SHMPROC2_PROMPT = "Press ENTER to continue...";
const SHMPROC2_LINES = [SHMPROC2_PROMPT, "This is a test"];

/** The segments of `key` in /proc/sysvipc/shm. */
function segmentsOfKey(key: number) {
  return sysvObjects().filter((o) => o.kind === "shm" && o.key === key >>> 0);
}

/** The one segment of `key`: its id, and IPC_STAT of it. */
function theSegment(key: number, label: string) {
  const rows = segmentsOfKey(key);
  assert.equal(
    rows.length,
    1,
    `${label}: one segment of key ${formatKey(key)}: ${JSON.stringify(rows)}`,
  );
  return { id: rows[0].id, ...shmStat(rows[0].id) };
}

/**
 * `stdout` holds `lines` as whole lines, in this order: exactly and nothing
 * else for a C program, possibly among more lines for a port.
 */
function assertLines(p: Started, side: Side, stdout: string, lines: string[]): void {
  const shown = `${p.name} (pid ${p.pid}) printed:\n${stdout}--- stderr ---\n${p.stderr}`;
  if (side === "C") {
    assert.equal(stdout, lines.map((l) => `${l}\n`).join(""), shown);
    return;
  }
  let next = 0;
  for (const line of stdout.split("\n")) {
    if (next < lines.length && line === lines[next]) next++;
  }
  assert.ok(next === lines.length, `missing the C's line ${JSON.stringify(lines[next])}: ${shown}`);
}

/**
 * One case's programs: builds of the C originals for its key (removed at
 * the end: a random key's build is never used again) and a way to start
 * either side of a pair.
 */
class Programs implements AsyncDisposable {
  readonly key: number;
  readonly dir: string;
  #builds = new Map<string, string>();

  private constructor(key: number, dir: string) {
    this.key = key;
    this.dir = dir;
  }

  /** Build the C originals of these tasks with `-DSHMKEY=<key>`. */
  static async build(key: number, dir: string, tasks: string[]): Promise<Programs> {
    const programs = new Programs(key, dir);
    for (const task of new Set(tasks)) {
      programs.#builds.set(task, await buildOriginal(C_NAME[task], { SHMKEY: formatKey(key) }));
    }
    return programs;
  }

  /** Start `task`'s C original or its port (with `--key` and `args`). */
  start(task: string, side: Side, args: string[] = []): Started {
    if (side === "C") {
      const executable = this.#builds.get(task);
      assert.ok(executable, `${task}: the C original was not built`);
      return startC(`C ${C_NAME[task]}`, executable, args, { cwd: this.dir });
    }
    return start(task, ["--key", formatKey(this.key), ...args], { cwd: this.dir });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const path of this.#builds.values()) await Deno.remove(path).catch(() => {});
  }
}

/** Run the cases at once; fail with every failing case, each by its name. */
async function runCases(cases: Array<[string, () => Promise<void>]>): Promise<void> {
  const results = await Promise.allSettled(cases.map(([, run]) => run()));
  const failures = results.flatMap((r, i) =>
    r.status === "rejected"
      ? [`--- ${cases[i][0]} ---\n${r.reason instanceof Error ? r.reason.stack : r.reason}`]
      : []
  );
  if (failures.length > 0) {
    throw new Error(`${failures.length} of ${cases.length} cases failed:\n${failures.join("\n")}`);
  }
}

// ---------------------------------------------------------------------------
// shmproc1 + shmproc2 (seed 000)

type Order = "shmproc1 first" | "shmproc2 first";

/**
 * The seed's session, at human pace: start one, wait for its prompt; start
 * the other, wait for its prompt; ENTER to shmproc2 (it prints the text and
 * ends), then ENTER to shmproc1 (it removes the segment and ends).
 */
async function shmprocCase(side1: Side, side2: Side, order: Order): Promise<void> {
  const key = randomKey();
  const label = `shmproc1 ${side1}, shmproc2 ${side2}, ${order}`;
  await using dir = await tempDir();
  using guard = new LeakGuard({ keys: [key], dir: dir.path });
  const tasks = [side1 === "C" ? ["shmproc1"] : [], side2 === "C" ? ["shmproc2"] : []].flat();
  await using programs = await Programs.build(key, dir.path, tasks);
  await using stack = new AsyncDisposableStack();

  const launch = async (task: "shmproc1" | "shmproc2"): Promise<Started> => {
    const p = stack.use(programs.start(task, task === "shmproc1" ? side1 : side2));
    guard.addPids(p.pid);
    await p.waitFor(task === "shmproc1" ? SHMPROC1_LINES[0] : SHMPROC2_PROMPT);
    return p;
  };
  let p1: Started;
  let p2: Started;
  if (order === "shmproc1 first") {
    p1 = await launch("shmproc1");
    p2 = await launch("shmproc2");
  } else {
    p2 = await launch("shmproc2");
    p1 = await launch("shmproc1");
  }
  const both = theSegment(key, label);
  assert.equal(both.nattch, 2, `${label}: both attached the same segment`);
  assert.equal(both.cpid, order === "shmproc1 first" ? p1.pid : p2.pid, `${label}: creator`);

  await p2.write("\n");
  const r2 = await p2.finish();
  assertLines(p2, side2, r2.stdout, SHMPROC2_LINES);
  if (side2 === "C") assert.equal(r2.stderr, "", label);
  assert.equal(r2.code, 0, `${label}: shmproc2's exit code; stderr: ${r2.stderr}`);

  // shmproc2 leaves the segment to shmproc1, which is still attached (issue
  // 12: the port used to remove the one it created, and the C shmproc1's
  // IPC_RMID after its shmdt then failed with EINVAL).
  const left = theSegment(key, `${label}, after shmproc2`);
  assert.equal(left.id, both.id);
  assert.equal(left.nattch, 1, `${label}: shmproc1 still attached`);
  assert.equal(left.markedForRemoval, false, `${label}: shmproc2 did not remove it`);

  await p1.write("\n");
  const r1 = await p1.finish();
  assertLines(p1, side1, r1.stdout, SHMPROC1_LINES);
  if (side1 === "C") assert.equal(r1.stderr, "", label);
  assert.equal(r1.code, 0, `${label}: shmproc1's exit code; stderr: ${r1.stderr}`);
  guard.check();
}

Deno.test("interop shmproc1 x shmproc2: C and port in every mix and both start orders", async () => {
  const cases: Array<[string, () => Promise<void>]> = [];
  for (const order of ["shmproc1 first", "shmproc2 first"] as const) {
    for (const side1 of SIDES) {
      for (const side2 of SIDES) {
        cases.push([
          `shmproc1 ${side1}, shmproc2 ${side2}, ${order}`,
          () => shmprocCase(side1, side2, order),
        ]);
      }
    }
  }
  await runCases(cases);
});

Deno.test("C shmproc1 + C shmproc2: seed 000's transcript, and the segment's life as its text says", async () => {
  const key = randomKey();
  await using dir = await tempDir();
  using guard = new LeakGuard({ keys: [key], dir: dir.path });
  await using programs = await Programs.build(key, dir.path, ["shmproc1", "shmproc2"]);

  // Seed 000, two terminals:
  //   root@kali:~# ./shmproc1
  //   press ENTER to key to continue...
  //   (it writes into the segment and waits)
  //   root@kali:~# ./shmproc2
  //   Press ENTER to continue...
  //                                  <- the user's ENTER, echoed by the terminal
  //   This is a test
  //   root@kali:~#
  await using p1 = programs.start("shmproc1", "C");
  guard.addPids(p1.pid);
  await p1.waitFor("\n");
  assert.equal(p1.stdout, "press ENTER to key to continue...\n");
  let st = theSegment(key, "shmproc1 waits");
  assert.equal(st.cpid, p1.pid);
  assert.equal(st.nattch, 1);
  assert.equal(st.perms, 0o660, "S_IRUSR|S_IWUSR|S_IRGRP|S_IWGRP");
  assert.equal(st.size, 4096);

  await using p2 = programs.start("shmproc2", "C");
  guard.addPids(p2.pid);
  await p2.waitFor("\n");
  assert.equal(p2.stdout, "Press ENTER to continue...\n");
  assert.equal(theSegment(key, "shmproc2 waits").nattch, 2, "the same segment, by its key");
  await p2.write("\n");
  const r2 = await p2.finish();
  // What the second terminal shows: its output with the typed ENTER echoed.
  const screen = r2.stdout.replace(/^Press ENTER to continue...\n/, "$&\n");
  assert.equal(screen, "Press ENTER to continue...\n\nThis is a test\n");
  assert.equal(r2.stderr, "");
  assert.equal(r2.code, 0);

  // "SystemV'in klasik IPC nesneleri reboot işlemi yapılana kadar kalıcı":
  // the segment is shmproc1's to remove; until then it stays.
  st = theSegment(key, "shmproc2 ended");
  assert.equal(st.nattch, 1);
  await p1.write("\n");
  const r1 = await p1.finish();
  assert.equal(r1.stdout, "press ENTER to key to continue...\n");
  assert.equal(r1.stderr, "");
  assert.equal(r1.code, 0);
  assert.deepEqual(segmentsOfKey(key), [], "shmdt + IPC_RMID: gone");
  guard.check();
});

// ---------------------------------------------------------------------------
// write_shm + read_shm (seed 004)

/**
 * The writer writes and exits; the segment stays; the reader prints the
 * message and its writer's pid. Then the port's `read-shm --remove` removes
 * it (the port reader does that itself).
 */
async function writeReadCase(writerSide: Side, readerSide: Side): Promise<void> {
  const key = randomKey();
  const k = formatKey(key);
  const label = `writer ${writerSide}, reader ${readerSide}`;
  await using dir = await tempDir();
  using guard = new LeakGuard({ keys: [key], dir: dir.path });
  const tasks = [writerSide === "C" ? ["write-shm"] : [], readerSide === "C" ? ["read-shm"] : []]
    .flat();
  await using programs = await Programs.build(key, dir.path, tasks);

  await using writer = programs.start("write-shm", writerSide);
  guard.addPids(writer.pid);
  const w = await writer.finish();
  assertLines(writer, writerSide, w.stdout, [
    `Data written in memory: message from pid ${writer.pid}: This is a test`,
  ]);
  assert.equal(w.code, 0, `${label}: the writer's exit code; stderr: ${w.stderr}`);
  const kept = theSegment(key, `${label}, after the writer`);
  assert.equal(kept.nattch, 0, `${label}: kept with nobody attached`);
  assert.equal(kept.cpid, writer.pid);

  const readerArgs = readerSide === "port" ? ["--remove"] : [];
  await using reader = programs.start("read-shm", readerSide, readerArgs);
  guard.addPids(reader.pid);
  const r = await reader.finish();
  const read = ["Data read from memory: This is a test", `Written by pid ${writer.pid}`];
  assertLines(reader, readerSide, r.stdout, read);
  if (readerSide === "C") assert.equal(r.stderr, "", label);
  assert.equal(r.code, 0, `${label}: the reader's exit code; stderr: ${r.stderr}`);

  let removed = r.stdout;
  if (readerSide === "C") {
    // The C reader leaves it (so does the seed); the port removes it.
    assert.equal(theSegment(key, `${label}, after the C reader`).id, kept.id);
    await using remover = programs.start("read-shm", "port", ["--remove"]);
    const rm = await remover.finish();
    assertLines(remover, "port", rm.stdout, read);
    assert.equal(rm.code, 0, `${label}: read-shm --remove; stderr: ${rm.stderr}`);
    removed = rm.stdout;
  }
  assert.match(
    removed,
    new RegExp(`^Removed shared memory key ${k} \\(shmid ${kept.id}\\)\\.$`, "m"),
  );
  guard.check();
}

Deno.test("interop write_shm x read_shm: C and port in every mix; read-shm --remove cleans up", async () => {
  const cases: Array<[string, () => Promise<void>]> = [];
  for (const writer of SIDES) {
    for (const reader of SIDES) {
      cases.push([`writer ${writer}, reader ${reader}`, () => writeReadCase(writer, reader)]);
    }
  }
  await runCases(cases);
});

Deno.test("C write_shm + C read_shm: seed 004's claims (the reader shows the writer's message; same key or nothing)", async () => {
  const key = randomKey();
  const otherKey = randomKey();
  await using dir = await tempDir();
  using guard = new LeakGuard({ keys: [key, otherKey], dir: dir.path });
  await using programs = await Programs.build(key, dir.path, ["write-shm", "read-shm"]);
  await using elsewhere = await Programs.build(otherKey, dir.path, ["read-shm"]);

  // "creates a shared memory ... and then writes a message in the shared
  // memory": the writer ends, the segment (IPC_CREAT, 0660) stays.
  await using writer = programs.start("write-shm", "C");
  guard.addPids(writer.pid);
  const w = await writer.finish();
  assert.equal(
    w.stdout,
    `Data written in memory: message from pid ${writer.pid}: This is a test\n`,
  );
  assert.equal(w.stderr, "");
  assert.equal(w.code, 0);
  const st = theSegment(key, "after write_shm");
  assert.equal(st.perms, 0o660);
  assert.equal(st.nattch, 0);

  // "You should see the message written by the first process displayed by
  // the second process" (read twice: reading does not consume it).
  for (const time of ["first", "second"]) {
    await using reader = programs.start("read-shm", "C");
    const r = await reader.finish();
    assert.equal(
      r.stdout,
      `Data read from memory: This is a test\nWritten by pid ${writer.pid}\n`,
      `${time} read`,
    );
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
  }

  // "the value of key used by both the codes are same, failing which the
  // shmget will be unable to identify the shared memory".
  await using lost = elsewhere.start("read-shm", "C");
  const l = await lost.finish();
  assert.equal(l.stdout, "");
  assert.equal(l.stderr, "shmget (run write_shm first): No such file or directory\n");
  assert.equal(l.code, 1);
  assert.deepEqual(segmentsOfKey(otherKey), [], "read_shm never creates");

  // Neither C program removes it (the seed names no IPC_RMID): IPC_RMID here.
  assert.equal(Segment.open(key).remove(), true);
  guard.check();
});
