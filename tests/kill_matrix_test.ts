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
  /** What the place needs: `--key`, `--name`. */
  args(place: Place, side: string): string[];
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

// ---- the pairs ---------------------------------------------------------------

const fifoPair: Pair = {
  title: "writefifo / readfifo",
  args: () => [],
  async normal(place) {
    const reader = run(place, "readfifo");
    const writer = run(place, "writefifo");
    await writer.waitFor("text:");
    await type(writer, "hello");
    await reader.waitFor("hello\n");
    await writer.waitFor("text:text:");
    await type(writer, "quit");
    const [rw, rr] = [await writer.finish(), await reader.finish()];
    assert.equal(reader.stdout, "hello\n");
    assert.deepEqual([rw.code, rr.code], [0, 0], writer.stderr + reader.stderr);
  },
};

const seqnumPair: Pair = {
  title: "fifo-server / fifo-client",
  args: () => [],
  async normal(place) {
    const server = run(place, "fifo-server");
    await server.waitFor("serving sequence numbers", "both");
    const client = run(place, "fifo-client", ["3"]);
    const rc = await client.finish();
    assert.equal(rc.code, 0, client.stderr);
    assert.match(client.stdout, /^\d+\n$/);
    server.kill("SIGTERM");
    assert.equal((await server.finish()).code, 143, server.stderr);
  },
};

const SHMPROC1_PROMPT = "press ENTER to key to continue...\n";
const SHMPROC2_PROMPT = "Press ENTER to continue...\n";

const shmprocPair: Pair = {
  title: "shmproc1 / shmproc2",
  args: (place) => ["--key", formatKey(place.key)],
  async normal(place) {
    const one = run(place, "shmproc1", this.args(place, "1"));
    await one.waitFor(SHMPROC1_PROMPT);
    const two = run(place, "shmproc2", this.args(place, "2"));
    await two.waitFor(SHMPROC2_PROMPT);
    await type(two, "");
    const r2 = await two.finish();
    await type(one, "");
    const r1 = await one.finish();
    assert.equal(two.stdout, `${SHMPROC2_PROMPT}This is a test\n`);
    assert.deepEqual([r1.code, r2.code], [0, 0], one.stderr + two.stderr);
  },
};

const MMAP_PROMPT = "'*' print Current mmap otherwise input text to mmap. >>";

const mmapPair: Pair = {
  title: "mmap-ex2 s / mmap-ex2 s",
  args: () => ["s"],
  keeps: ["shared_mmap"],
  async normal(place) {
    const a = run(place, "mmap-ex2", ["s"]);
    await a.waitFor(MMAP_PROMPT);
    const b = run(place, "mmap-ex2", ["s"]);
    await b.waitFor(MMAP_PROMPT);
    await type(a, "shared line");
    await a.waitFor(new RegExp(`(?:${MMAP_PROMPT.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}[^]*){2}`));
    await type(b, "*");
    await b.waitFor("Current mmap -> 'shared line");
    await a.closeStdin();
    await b.closeStdin();
    assert.deepEqual([(await a.finish()).code, (await b.finish()).code], [0, 0]);
  },
};

const posixShmPair: Pair = {
  title: "posix-shm-writer / posix-shm-reader",
  args: (place) => ["--name", place.name],
  async normal(place) {
    const w = run(place, "posix-shm-writer", this.args(place, "w"));
    await w.waitFor("press ENTER to key to continue...\n");
    const r = run(place, "posix-shm-reader", this.args(place, "r"));
    await r.waitFor("Press ENTER to continue...\n");
    await type(r, "");
    const rr = await r.finish();
    await type(w, "");
    const rw = await w.finish();
    assert.match(r.stdout, /This is a test/);
    assert.deepEqual([rw.code, rr.code], [0, 0], w.stderr + r.stderr);
  },
};

const sysvMsgPair: Pair = {
  title: "sysv-msg-server / sysv-msg-client",
  args: (place) => ["--key", formatKey(place.key)],
  async normal(place) {
    const server = run(place, "sysv-msg-server", this.args(place, "s"));
    await server.waitFor("waiting for requests");
    const client = run(place, "sysv-msg-client", this.args(place, "c"));
    await type(client, "hello");
    await client.waitFor("reply: HELLO\n");
    await client.closeStdin();
    assert.equal((await client.finish()).code, 0, client.stderr);
    const stop = run(place, "sysv-msg-client", [...this.args(place, "c"), "--stop"]);
    assert.equal((await stop.finish()).code, 0, stop.stderr);
    assert.equal((await server.finish()).code, 0, server.stderr);
  },
};

const posixMqPair: Pair = {
  title: "posix-mq-receive / posix-mq-send",
  args: (place) => ["--name", place.name],
  async normal(place) {
    const receiver = run(place, "posix-mq-receive", this.args(place, "r"));
    await receiver.waitFor("press ENTER to start receiving...");
    const sender = run(place, "posix-mq-send", this.args(place, "s"));
    await type(sender, "1 hello");
    await sender.waitFor("sent with priority 1: hello\n");
    await type(receiver, "");
    await receiver.waitFor("priority 1: hello\n");
    await type(sender, "quit");
    await sender.closeStdin();
    const [rs, rr] = [await sender.finish(), await receiver.finish()];
    assert.deepEqual([rs.code, rr.code], [0, 0], sender.stderr + receiver.stderr);
  },
};

const echoPair: Pair = {
  title: "echo-server / echo-client",
  args: () => [],
  async normal(place) {
    const server = run(place, "echo-server");
    await server.waitFor("listening on");
    const client = run(place, "echo-client");
    await type(client, "hello");
    await client.waitFor("echo: hello\n");
    await client.closeStdin();
    assert.equal((await client.finish()).code, 0, client.stderr);
    server.kill("SIGINT");
    assert.equal((await server.finish()).code, 130, server.stderr);
  },
};

const fdPassPair: Pair = {
  title: "fd-pass-sender / fd-pass-receiver",
  args: () => [],
  async normal(place) {
    const sender = run(place, "fd-pass-sender");
    await sender.waitFor("an unnamed file (O_TMPFILE)\n");
    const receiver = run(place, "fd-pass-receiver");
    const [rr, rs] = [await receiver.finish(), await sender.finish()];
    assert.match(receiver.stdout, /^received fd \d+\nThis file has no name/);
    assert.deepEqual([rr.code, rs.code], [0, 0], receiver.stderr + sender.stderr);
  },
};

const semPair: Pair = {
  title: "sem-ping / sem-pong",
  args: (place) => ["--key", formatKey(place.key)],
  async normal(place) {
    const ping = run(place, "sem-ping", [...this.args(place, "ping"), "--rounds", "3"]);
    await ping.waitFor("waiting for sem-pong");
    const pong = run(place, "sem-pong", this.args(place, "pong"));
    const [rp, rq] = [await ping.finish(), await pong.finish()];
    assert.deepEqual([rp.code, rq.code], [0, 0], ping.stderr + pong.stderr);
  },
};

// ---- the cells ---------------------------------------------------------------

const CELLS: Cell[] = [
  {
    pair: fifoPair,
    victim: "readfifo",
    at: "waiting for a writer",
    async kill(place) {
      const reader = run(place, "readfifo");
      await reader.waitFor("waiting for a writer", "stderr");
      await sigkill(reader);
    },
    recovery: {
      text:
        "`rm testfifo` (documented: a FIFO the user made looks the same, so nobody takes it over)",
      run: (place) => Deno.remove(`${place.dir}/testfifo`),
    },
    next: "the pair makes a new one and removes it",
  },
  {
    pair: fifoPair,
    victim: "writefifo",
    at: "waiting for a reader",
    async kill(place) {
      const writer = run(place, "writefifo");
      await writer.waitFor("waiting for a reader", "stderr");
      await sigkill(writer);
    },
    recovery: {
      text:
        "`rm testfifo` (documented: a FIFO the user made looks the same, so nobody takes it over)",
      run: (place) => Deno.remove(`${place.dir}/testfifo`),
    },
    next: "the pair makes a new one and removes it",
  },
  {
    pair: fifoPair,
    victim: "readfifo",
    at: "mid-exchange",
    async kill(place) {
      const reader = run(place, "readfifo");
      const writer = run(place, "writefifo");
      await writer.waitFor("text:");
      await type(writer, "hello");
      await reader.waitFor("hello\n");
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
      const reader = run(place, "readfifo");
      const writer = run(place, "writefifo");
      await writer.waitFor("text:");
      await type(writer, "hello");
      await reader.waitFor("hello\n");
      await sigkill(writer);
      await reader.finish();
    },
    next: "nothing to recover",
  },
  {
    pair: seqnumPair,
    victim: "fifo-server",
    at: "waiting for requests",
    async kill(place) {
      const server = run(place, "fifo-server");
      await server.waitFor("serving sequence numbers", "both");
      await sigkill(server);
    },
    next: "the next server takes its FIFO over",
  },
  {
    pair: seqnumPair,
    victim: "fifo-server",
    at: "after serving a client",
    async kill(place) {
      const server = run(place, "fifo-server");
      await server.waitFor("serving sequence numbers", "both");
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
    async kill(place) {
      const one = run(place, "shmproc1", shmprocPair.args(place, "1"));
      await one.waitFor(SHMPROC1_PROMPT);
      await sigkill(one);
    },
    next: "shmproc1 finds the segment (IPC_CREAT) and removes it at the end",
  },
  {
    pair: shmprocPair,
    victim: "shmproc1",
    at: "mid-exchange (both attached)",
    async kill(place) {
      const one = run(place, "shmproc1", shmprocPair.args(place, "1"));
      await one.waitFor(SHMPROC1_PROMPT);
      const two = run(place, "shmproc2", shmprocPair.args(place, "2"));
      await two.waitFor(SHMPROC2_PROMPT);
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
      const one = run(place, "shmproc1", shmprocPair.args(place, "1"));
      await one.waitFor(SHMPROC1_PROMPT);
      const two = run(place, "shmproc2", shmprocPair.args(place, "2"));
      await two.waitFor(SHMPROC2_PROMPT);
      await sigkill(two);
      await type(one, "");
      await one.finish();
    },
    next: "nothing to recover",
  },
  {
    pair: mmapPair,
    victim: "mmap-ex2 s",
    at: "its prompt",
    async kill(place) {
      const a = run(place, "mmap-ex2", ["s"]);
      await a.waitFor(MMAP_PROMPT);
      await sigkill(a);
    },
    next: "the file is the data: the next run rewrites it",
  },
  {
    pair: posixShmPair,
    victim: "posix-shm-writer",
    at: "its prompt, before the reader",
    async kill(place) {
      const w = run(place, "posix-shm-writer", posixShmPair.args(place, "w"));
      await w.waitFor("press ENTER to key to continue...\n");
      await sigkill(w);
    },
    next: "the writer reuses the object and unlinks it at the end",
  },
  {
    pair: posixShmPair,
    victim: "posix-shm-reader",
    at: "its prompt (the writer waiting)",
    async kill(place) {
      const w = run(place, "posix-shm-writer", posixShmPair.args(place, "w"));
      await w.waitFor("press ENTER to key to continue...\n");
      const r = run(place, "posix-shm-reader", posixShmPair.args(place, "r"));
      await r.waitFor("Press ENTER to continue...\n");
      await sigkill(r);
      await type(w, "");
      await w.finish();
    },
    next: "nothing to recover",
  },
  {
    pair: sysvMsgPair,
    victim: "sysv-msg-server",
    at: "waiting for requests",
    async kill(place) {
      const server = run(place, "sysv-msg-server", sysvMsgPair.args(place, "s"));
      await server.waitFor("waiting for requests");
      await sigkill(server);
    },
    next: "the next server takes the queue over (its creator is gone)",
  },
  {
    pair: sysvMsgPair,
    victim: "sysv-msg-client",
    at: "mid-exchange",
    async kill(place) {
      const server = run(place, "sysv-msg-server", sysvMsgPair.args(place, "s"));
      await server.waitFor("waiting for requests");
      const client = run(place, "sysv-msg-client", sysvMsgPair.args(place, "c"));
      await type(client, "hello");
      await client.waitFor("reply: HELLO\n");
      await sigkill(client);
      await ctrlC(server);
    },
    next: "nothing to recover",
  },
  {
    pair: posixMqPair,
    victim: "posix-mq-receive",
    at: "its prompt",
    async kill(place) {
      const receiver = run(place, "posix-mq-receive", posixMqPair.args(place, "r"));
      await receiver.waitFor("press ENTER to start receiving...");
      await sigkill(receiver);
    },
    next: "the receiver opens the queue it finds (O_CREAT) and unlinks it",
  },
  {
    pair: posixMqPair,
    victim: "posix-mq-send",
    at: "mid-exchange",
    async kill(place) {
      const receiver = run(place, "posix-mq-receive", posixMqPair.args(place, "r"));
      await receiver.waitFor("press ENTER to start receiving...");
      const sender = run(place, "posix-mq-send", posixMqPair.args(place, "s"));
      await type(sender, "1 hello");
      await sender.waitFor("sent with priority 1: hello\n");
      await sigkill(sender);
      await ctrlC(receiver);
    },
    next: "nothing to recover",
  },
  {
    pair: echoPair,
    victim: "echo-server",
    at: "listening",
    async kill(place) {
      const server = run(place, "echo-server");
      await server.waitFor("listening on");
      await sigkill(server);
    },
    next: "the next server takes echo.sock over",
  },
  {
    pair: echoPair,
    victim: "echo-client",
    at: "mid-exchange",
    async kill(place) {
      const server = run(place, "echo-server");
      await server.waitFor("listening on");
      const client = run(place, "echo-client");
      await type(client, "hello");
      await client.waitFor("echo: hello\n");
      await sigkill(client);
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
      const server = run(place, "echo-server");
      await server.waitFor("listening on");
      const client = run(place, "echo-client");
      await type(client, "hello");
      await client.waitFor("echo: hello\n");
      await sigkill(server);
      await ctrlC(client);
    },
    next: "the next server takes echo.sock over",
  },
  {
    pair: fdPassPair,
    victim: "fd-pass-sender",
    at: "waiting for a receiver",
    async kill(place) {
      const sender = run(place, "fd-pass-sender");
      await sender.waitFor("an unnamed file (O_TMPFILE)\n");
      await sigkill(sender);
    },
    next: "the next sender takes fd-pass.sock over",
  },
  {
    pair: semPair,
    victim: "sem-ping",
    at: "waiting for sem-pong",
    async kill(place) {
      const ping = run(place, "sem-ping", semPair.args(place, "ping"));
      await ping.waitFor("waiting for sem-pong");
      await sigkill(ping);
    },
    next: "the next sem-ping takes the segment and set over (their creator is gone)",
  },
  {
    pair: semPair,
    victim: "sem-ping",
    at: "mid-exchange",
    async kill(place) {
      const ping = run(place, "sem-ping", [...semPair.args(place, "ping"), "--rounds", "100000"]);
      await ping.waitFor("waiting for sem-pong");
      const pong = run(place, "sem-pong", semPair.args(place, "pong"));
      await ping.waitFor("round 2: ");
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
      const ping = run(place, "sem-ping", [...semPair.args(place, "ping"), "--rounds", "100000"]);
      await ping.waitFor("waiting for sem-pong");
      const pong = run(place, "sem-pong", semPair.args(place, "pong"));
      await ping.waitFor("round 2: ");
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
    throw new Error(`${label(cell)}: ${e instanceof Error ? e.message : e}`, { cause: e });
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
