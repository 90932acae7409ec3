/**
 * The kill matrix: for each pair of programs, SIGKILL one side at one of
 * its waits (before the peer arrives, mid-exchange), let the survivor end
 * (Ctrl+C, as a person would), note what the killed process left behind,
 * then run the pair normally in the same place with the same key or name:
 * it must succeed and leave nothing (beyond what a normal run leaves, such
 * as mmap-ex2's data file). SIGKILL runs no cleanup, so whatever recovery
 * there is, is the next run's: a server that takes over a socket or FIFO
 * left by a dead predecessor, a SysV object reused and removed, or the
 * documented `deno task ipcrm` step.
 *
 * README.md's section "Reliability: after SIGKILL" carries the table this
 * test makes from the cells and their results; the test fails when the two
 * differ (run with `IPC_LAB_WRITE_README=1` to rewrite it).
 */
import "./_helpers/bind_libc.ts"; // before anything calls libc: see the module
import assert from "node:assert/strict";
import { LeakGuard, sysvObjects } from "./_helpers/leaks.ts";
import { randomKey, randomTag, ROOT, start, type Started, tempDir } from "./_helpers/run.ts";
import { formatKey } from "../lib/keys.ts";
import { Errno, LibcError, O, PosixMessageQueue } from "../lib/libc.ts";

/** Where one cell runs: its own directory, key and POSIX name. */
interface Place {
  dir: string;
  key: number;
  tag: string;
  /** A POSIX name carrying the tag (`/ipc-lab-km-<tag>`). */
  name: string;
  /** Every process started, so a failing cell leaves none running. */
  started: Started[];
}

function run(place: Place, task: string, args: string[] = []): Started {
  const p = start(task, args, { cwd: place.dir });
  place.started.push(p);
  return p;
}

/** Type a line into `p`. */
async function type(p: Started, line: string): Promise<void> {
  await p.write(`${line}\n`);
}

/** SIGKILL `victim` and wait until it is gone. */
async function sigkill(victim: Started): Promise<void> {
  victim.kill("SIGKILL");
  const r = await victim.finish();
  assert.equal(r.signal, "SIGKILL", `${victim.name} was not ended by SIGKILL`);
}

/** The survivors: Ctrl+C each still running, and wait for all to end. */
async function ctrlC(...survivors: Started[]): Promise<void> {
  for (const p of survivors) {
    await p.closeStdin();
    p.kill("SIGINT");
  }
  for (const p of survivors) await p.finish();
}

/** A pair of programs and how it runs normally. */
interface Pair {
  /** As the table shows it. */
  title: string;
  /** A normal run, asserting it succeeded. */
  normal(place: Place): Promise<void>;
  /** Files a normal run leaves in the directory by design. */
  keeps?: string[];
}

/** One cell: which side is killed, where it waits, and how the next run copes. */
interface Cell {
  pair: Pair;
  victim: string;
  at: string;
  /** Bring the pair to the wait, SIGKILL the victim, end the survivors. */
  kill(place: Place): Promise<void>;
  /** The documented recovery step, if any, run before the normal run. */
  recovery?: { text: string; run(place: Place): Promise<void> };
  /** What the next normal run does about what was left (the table's words). */
  next: string;
}

// ---- the stages: each brings a pair to one of its waits ----------------------

const SHMPROC1_PROMPT = "press ENTER to key to continue...\n";
const SHMPROC2_PROMPT = "Press ENTER to continue...\n";
const MMAP_PROMPT = "'*' print Current mmap otherwise input text to mmap. >>";
const key = (place: Place) => ["--key", formatKey(place.key)];
const name = (place: Place) => ["--name", place.name];

/** Start `task` and wait until it prints `ready`. */
async function ready(
  place: Place,
  task: string,
  args: string[],
  text: string | RegExp,
  stream: "stdout" | "stderr" | "both" = "stdout",
): Promise<Started> {
  const p = run(place, task, args);
  await p.waitFor(text, stream);
  return p;
}

/** readfifo and writefifo connected, "hello" through. */
async function fifoTalking(place: Place): Promise<{ reader: Started; writer: Started }> {
  const reader = run(place, "readfifo");
  const writer = await ready(place, "writefifo", [], "text:");
  await type(writer, "hello");
  await reader.waitFor("hello\n");
  return { reader, writer };
}

const seqnumServer = (place: Place) =>
  ready(place, "fifo-server", [], "serving sequence numbers", "both");
const shmproc1 = (place: Place) => ready(place, "shmproc1", key(place), SHMPROC1_PROMPT);
const shmproc2 = (place: Place) => ready(place, "shmproc2", key(place), SHMPROC2_PROMPT);
const shmWriter = (place: Place) =>
  ready(place, "posix-shm-writer", name(place), "press ENTER to key to continue...\n");
const shmReader = (place: Place) =>
  ready(place, "posix-shm-reader", name(place), "Press ENTER to continue...\n");
const msgServer = (place: Place) =>
  ready(place, "sysv-msg-server", key(place), "waiting for requests");
const mqReceiver = (place: Place) =>
  ready(place, "posix-mq-receive", name(place), "press ENTER to start receiving...");
const echoServer = (place: Place) => ready(place, "echo-server", [], "listening on");
const semPing = (place: Place, rounds: number) =>
  ready(place, "sem-ping", [...key(place), "--rounds", String(rounds)], "waiting for sem-pong");

/** A sysv-msg client that has had one reply. */
async function msgClient(place: Place): Promise<Started> {
  const client = run(place, "sysv-msg-client", key(place));
  await type(client, "hello");
  await client.waitFor("reply: HELLO\n");
  return client;
}

/** A posix-mq sender that has sent one message. */
async function mqSender(place: Place): Promise<Started> {
  const sender = run(place, "posix-mq-send", name(place));
  await type(sender, "1 hello");
  await sender.waitFor("sent with priority 1: hello\n");
  return sender;
}

/** An echo client that has had one echo. */
async function echoClient(place: Place): Promise<Started> {
  const client = run(place, "echo-client");
  await type(client, "hello");
  await client.waitFor("echo: hello\n");
  return client;
}

/** sem-ping and sem-pong in the middle of a long game. */
async function semPlaying(place: Place): Promise<{ ping: Started; pong: Started }> {
  const ping = await semPing(place, 100000);
  const pong = run(place, "sem-pong", key(place));
  await ping.waitFor("round 2: ");
  return { ping, pong };
}

/** Both ended with exit 0. */
async function bothOk(a: Started, b: Started): Promise<void> {
  const [ra, rb] = [await a.finish(), await b.finish()];
  assert.deepEqual([ra.code, rb.code], [0, 0], a.stderr + b.stderr);
}

// ---- the pairs and their normal runs -------------------------------------------

const fifoPair: Pair = {
  title: "writefifo / readfifo",
  async normal(place) {
    const { reader, writer } = await fifoTalking(place);
    await writer.waitFor("text:text:");
    await type(writer, "quit");
    await bothOk(writer, reader);
    assert.equal(reader.stdout, "hello\n");
  },
};

const seqnumPair: Pair = {
  title: "fifo-server / fifo-client",
  async normal(place) {
    const server = await seqnumServer(place);
    const client = run(place, "fifo-client", ["3"]);
    assert.equal((await client.finish()).code, 0, client.stderr);
    assert.match(client.stdout, /^\d+\n$/);
    server.kill("SIGTERM");
    assert.equal((await server.finish()).code, 143, server.stderr);
  },
};

const shmprocPair: Pair = {
  title: "shmproc1 / shmproc2",
  async normal(place) {
    const one = await shmproc1(place);
    const two = await shmproc2(place);
    await type(two, "");
    await two.finish();
    await type(one, "");
    await bothOk(one, two);
    assert.equal(two.stdout, `${SHMPROC2_PROMPT}This is a test\n`);
  },
};

const mmapPair: Pair = {
  title: "mmap-ex2 s / mmap-ex2 s",
  keeps: ["shared_mmap"],
  async normal(place) {
    const a = await ready(place, "mmap-ex2", ["s"], MMAP_PROMPT);
    const b = await ready(place, "mmap-ex2", ["s"], MMAP_PROMPT);
    await type(a, "shared line");
    await a.waitFor(new RegExp(`(?:${MMAP_PROMPT.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}[^]*){2}`));
    await type(b, "*");
    await b.waitFor("Current mmap -> 'shared line");
    await a.closeStdin();
    await b.closeStdin();
    await bothOk(a, b);
  },
};

const posixShmPair: Pair = {
  title: "posix-shm-writer / posix-shm-reader",
  async normal(place) {
    const w = await shmWriter(place);
    const r = await shmReader(place);
    await type(r, "");
    await r.finish();
    await type(w, "");
    await bothOk(w, r);
    assert.match(r.stdout, /This is a test/);
  },
};

const sysvMsgPair: Pair = {
  title: "sysv-msg-server / sysv-msg-client",
  async normal(place) {
    const server = await msgServer(place);
    const client = await msgClient(place);
    await client.closeStdin();
    const stop = run(place, "sysv-msg-client", [...key(place), "--stop"]);
    await bothOk(client, stop);
    assert.equal((await server.finish()).code, 0, server.stderr);
  },
};

const posixMqPair: Pair = {
  title: "posix-mq-receive / posix-mq-send",
  async normal(place) {
    const receiver = await mqReceiver(place);
    const sender = await mqSender(place);
    await type(receiver, "");
    await receiver.waitFor("priority 1: hello\n");
    await type(sender, "quit");
    await sender.closeStdin();
    await bothOk(sender, receiver);
  },
};

const echoPair: Pair = {
  title: "echo-server / echo-client",
  async normal(place) {
    const server = await echoServer(place);
    const client = await echoClient(place);
    await client.closeStdin();
    assert.equal((await client.finish()).code, 0, client.stderr);
    server.kill("SIGINT");
    assert.equal((await server.finish()).code, 130, server.stderr);
  },
};

const fdPassPair: Pair = {
  title: "fd-pass-sender / fd-pass-receiver",
  async normal(place) {
    const sender = await ready(place, "fd-pass-sender", [], "an unnamed file (O_TMPFILE)\n");
    const receiver = run(place, "fd-pass-receiver");
    await bothOk(receiver, sender);
    assert.match(receiver.stdout, /^received fd \d+\nThis file has no name/);
  },
};

const semPair: Pair = {
  title: "sem-ping / sem-pong",
  async normal(place) {
    const ping = await semPing(place, 3);
    const pong = run(place, "sem-pong", key(place));
    await bothOk(ping, pong);
  },
};

// ---- the cells -------------------------------------------------------------------

const RM_TESTFIFO = {
  text: "`rm testfifo` (documented: a FIFO the user made looks the same, so nobody takes it over)",
  run: (place: Place) => Deno.remove(`${place.dir}/testfifo`),
};

const CELLS: Cell[] = [
  {
    pair: fifoPair,
    victim: "readfifo",
    at: "waiting for a writer",
    kill: async (place) =>
      sigkill(await ready(place, "readfifo", [], "waiting for a writer", "stderr")),
    recovery: RM_TESTFIFO,
    next: "the pair makes a new one and removes it",
  },
  {
    pair: fifoPair,
    victim: "writefifo",
    at: "waiting for a reader",
    kill: async (place) =>
      sigkill(await ready(place, "writefifo", [], "waiting for a reader", "stderr")),
    recovery: RM_TESTFIFO,
    next: "the pair makes a new one and removes it",
  },
  {
    pair: fifoPair,
    victim: "readfifo",
    at: "mid-exchange",
    async kill(place) {
      const { reader, writer } = await fifoTalking(place);
      await sigkill(reader);
      await writer.finish(); // waiting at its prompt, writefifo sees the reader go and ends
    },
    next: "nothing to recover",
  },
  {
    pair: fifoPair,
    victim: "writefifo",
    at: "mid-exchange",
    async kill(place) {
      const { reader, writer } = await fifoTalking(place);
      await sigkill(writer);
      await reader.finish();
    },
    next: "nothing to recover",
  },
  {
    pair: seqnumPair,
    victim: "fifo-server",
    at: "waiting for requests",
    kill: async (place) => sigkill(await seqnumServer(place)),
    next: "the next server takes its FIFO over",
  },
  {
    pair: seqnumPair,
    victim: "fifo-server",
    at: "after serving a client",
    async kill(place) {
      const server = await seqnumServer(place);
      const client = run(place, "fifo-client", ["2"]);
      assert.equal((await client.finish()).code, 0, client.stderr);
      await sigkill(server);
    },
    next: "the next server takes its FIFO over",
  },
  {
    pair: shmprocPair,
    victim: "shmproc1",
    at: "its prompt, before shmproc2",
    kill: async (place) => sigkill(await shmproc1(place)),
    next: "shmproc1 finds the segment (IPC_CREAT) and removes it at the end",
  },
  {
    pair: shmprocPair,
    victim: "shmproc1",
    at: "mid-exchange (both attached)",
    async kill(place) {
      const one = await shmproc1(place);
      const two = await shmproc2(place);
      await sigkill(one);
      await type(two, "");
      await two.finish();
    },
    next: "shmproc1 finds the segment (IPC_CREAT) and removes it at the end",
  },
  {
    pair: shmprocPair,
    victim: "shmproc2",
    at: "its prompt (shmproc1 attached)",
    async kill(place) {
      const one = await shmproc1(place);
      await sigkill(await shmproc2(place));
      await type(one, "");
      await one.finish();
    },
    next: "nothing to recover",
  },
  {
    pair: mmapPair,
    victim: "mmap-ex2 s",
    at: "its prompt",
    kill: async (place) => sigkill(await ready(place, "mmap-ex2", ["s"], MMAP_PROMPT)),
    next: "the file is the data: the next run rewrites it",
  },
  {
    pair: posixShmPair,
    victim: "posix-shm-writer",
    at: "its prompt, before the reader",
    kill: async (place) => sigkill(await shmWriter(place)),
    next: "the writer reuses the object and unlinks it at the end",
  },
  {
    pair: posixShmPair,
    victim: "posix-shm-reader",
    at: "its prompt (the writer waiting)",
    async kill(place) {
      const w = await shmWriter(place);
      await sigkill(await shmReader(place));
      await type(w, "");
      await w.finish();
    },
    next: "nothing to recover",
  },
  {
    pair: sysvMsgPair,
    victim: "sysv-msg-server",
    at: "waiting for requests",
    kill: async (place) => sigkill(await msgServer(place)),
    next: "the next server takes the queue over (its creator is gone)",
  },
  {
    pair: sysvMsgPair,
    victim: "sysv-msg-client",
    at: "mid-exchange",
    async kill(place) {
      const server = await msgServer(place);
      await sigkill(await msgClient(place));
      await ctrlC(server);
    },
    next: "nothing to recover",
  },
  {
    pair: posixMqPair,
    victim: "posix-mq-receive",
    at: "its prompt",
    kill: async (place) => sigkill(await mqReceiver(place)),
    next: "the receiver opens the queue it finds (O_CREAT) and unlinks it",
  },
  {
    pair: posixMqPair,
    victim: "posix-mq-send",
    at: "mid-exchange",
    async kill(place) {
      const receiver = await mqReceiver(place);
      await sigkill(await mqSender(place));
      await ctrlC(receiver);
    },
    next: "nothing to recover",
  },
  {
    pair: echoPair,
    victim: "echo-server",
    at: "listening",
    kill: async (place) => sigkill(await echoServer(place)),
    next: "the next server takes echo.sock over",
  },
  {
    pair: echoPair,
    victim: "echo-client",
    at: "mid-exchange",
    async kill(place) {
      const server = await echoServer(place);
      await sigkill(await echoClient(place));
      await server.waitFor("client 1 disconnected\n");
      await ctrlC(server);
    },
    next: "nothing to recover",
  },
  {
    pair: echoPair,
    victim: "echo-server",
    at: "mid-exchange",
    async kill(place) {
      const server = await echoServer(place);
      const client = await echoClient(place);
      await sigkill(server);
      await ctrlC(client);
    },
    next: "the next server takes echo.sock over",
  },
  {
    pair: fdPassPair,
    victim: "fd-pass-sender",
    at: "waiting for a receiver",
    kill: async (place) =>
      sigkill(await ready(place, "fd-pass-sender", [], "an unnamed file (O_TMPFILE)\n")),
    next: "the next sender takes fd-pass.sock over",
  },
  {
    pair: semPair,
    victim: "sem-ping",
    at: "waiting for sem-pong",
    kill: async (place) => sigkill(await semPing(place, 3)),
    next: "the next sem-ping takes the segment and set over (their creator is gone)",
  },
  {
    pair: semPair,
    victim: "sem-ping",
    at: "mid-exchange",
    async kill(place) {
      const { ping, pong } = await semPlaying(place);
      await sigkill(ping);
      await pong.finish(); // sem-pong notices sem-ping gone, removes what it left
    },
    next: "the next sem-ping takes the segment and set over (their creator is gone)",
  },
  {
    pair: semPair,
    victim: "sem-pong",
    at: "mid-exchange",
    async kill(place) {
      const { ping, pong } = await semPlaying(place);
      await sigkill(pong);
      await ping.finish(); // sem-ping notices sem-pong gone and ends
    },
    next: "nothing to recover",
  },
];

// ---- running a cell ----------------------------------------------------------

/** Whether the POSIX queue `name` exists (/dev/mqueue is not mounted everywhere). */
function queueExists(name: string): boolean {
  try {
    PosixMessageQueue.open(name, { flags: O.RDONLY }).close();
    return true;
  } catch (e) {
    if (e instanceof LibcError && e.errno === Errno.ENOENT) return false;
    throw e;
  }
}

/**
 * What is left, in the table's words (no keys, pids or paths). Files a
 * normal run keeps by design are named with "(kept by design)" when
 * `showKept`, and left out otherwise.
 */
function leftovers(place: Place, guard: LeakGuard, keeps: string[], showKept: boolean): string[] {
  const found = new Set<string>();
  const kinds = { shm: "SysV segment", sem: "SysV semaphore set", msg: "SysV queue" };
  for (const o of sysvObjects()) if (o.key === place.key >>> 0) found.add(kinds[o.kind]);
  for (const line of guard.leftovers()) {
    if (line.startsWith("SysV")) continue;
    if (line.startsWith("/dev/shm/")) found.add("/dev/shm object");
    else {
      const name = line.replace(/^.*\//, "").replace(/\.\d+$/, ".PID");
      if (!keeps.includes(name)) found.add(name);
      else if (showKept) found.add(`${name} (kept by design)`);
    }
  }
  if (queueExists(place.name)) found.add("POSIX queue");
  return [...found].sort();
}

interface Result {
  cell: Cell;
  left: string[];
}

async function runCell(cell: Cell): Promise<Result> {
  await using dir = await tempDir("ipc-lab-km-");
  const tag = randomTag();
  const place: Place = {
    dir: dir.path,
    key: randomKey(),
    tag,
    name: `/ipc-lab-km-${tag}`,
    started: [],
  };
  using guard = new LeakGuard({ keys: [place.key], tag, dir: dir.path });
  try {
    await cell.kill(place);
    const left = leftovers(place, guard, cell.pair.keeps ?? [], true);
    if (cell.recovery) await cell.recovery.run(place);
    await cell.pair.normal(place);
    const after = leftovers(place, guard, cell.pair.keeps ?? [], false);
    assert.deepEqual(after, [], `the normal run after it left ${after.join(", ")}`);
    return { cell, left };
  } catch (e) {
    // Everything every process of the cell printed: the failing wait names one.
    const all = place.started.map((p) =>
      `--- ${p.name} (pid ${p.pid}) stdout ---\n${p.stdout}--- stderr ---\n${p.stderr}`
    ).join("\n");
    throw new Error(
      `${label(cell)}: ${e instanceof Error ? e.message : e}\nall processes of the cell:\n${all}`,
      { cause: e },
    );
  } finally {
    for (const p of place.started) await p[Symbol.asyncDispose]();
    if (queueExists(place.name)) PosixMessageQueue.open(place.name).remove();
  }
}

function label(cell: Cell): string {
  return `${cell.pair.title}: ${cell.victim} killed at "${cell.at}"`;
}

/** The README table: one row per cell. */
function table(results: Result[]): string {
  const rows = [
    "| pair | SIGKILLed | waiting at | left behind (once the other side ended) | the next normal run | result |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const { cell, left } of results) {
    // What a survivor cleaned up is not left: then there is nothing to recover.
    const next = left.length === 0
      ? "nothing to recover"
      : cell.recovery
      ? `${cell.recovery.text}; then ${cell.next}`
      : cell.next;
    rows.push(
      `| ${cell.pair.title} | ${cell.victim} | ${cell.at} | ${
        left.length ? left.map((l) => `\`${l}\``).join(", ") : "nothing"
      } | ${next} | succeeds, leaves nothing |`,
    );
  }
  return rows.join("\n");
}

const START = "<!-- kill-matrix:start -->";
const END = "<!-- kill-matrix:end -->";

Deno.test("kill matrix: after a SIGKILL at any wait, the next normal run succeeds and leaves nothing", async () => {
  // Four cells at a time: each is a few short processes, mostly waiting.
  const results: Result[] = new Array(CELLS.length);
  let next = 0;
  const failures: string[] = [];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < CELLS.length) {
        const i = next++;
        try {
          results[i] = await runCell(CELLS[i]);
        } catch (e) {
          failures.push(e instanceof Error ? e.message : String(e));
        }
      }
    }),
  );
  assert.deepEqual(failures, [], failures.join("\n\n"));
  const readmePath = `${ROOT}/README.md`;
  const readme = await Deno.readTextFile(readmePath);
  const made = `${START}\n\n${table(results)}\n\n${END}`;
  const current = readme.slice(readme.indexOf(START), readme.indexOf(END) + END.length);
  if (normalized(current) !== normalized(made) && Deno.env.get("IPC_LAB_WRITE_README") === "1") {
    await Deno.writeTextFile(readmePath, readme.replace(current, made));
    const fmt = await new Deno.Command(Deno.execPath(), { args: ["fmt", readmePath] }).output();
    assert.ok(fmt.success, "deno fmt README.md failed");
    return;
  }
  assert.equal(
    normalized(current),
    normalized(made),
    "README.md's kill-matrix table is not what the matrix found " +
      "(IPC_LAB_WRITE_README=1 deno test --allow-all tests/kill_matrix_test.ts rewrites it)",
  );
});

/** A Markdown table as its cells, so `deno fmt`'s column padding does not count. */
function normalized(markdown: string): string {
  return markdown.split("\n").filter((l) => l.trim() !== "").map((line) =>
    line.startsWith("|")
      ? line.split("|").map((c) => (/^\s*-+\s*$/.test(c) ? "-" : c.trim())).join("|")
      : line.trim()
  ).join("\n");
}
