/**
 * The tour is the end-to-end test: every example, every process, every
 * promise checked. This test does not take the tour's word for it (its ✔
 * lines are the tour's own verdicts): it lists, per scene, what the
 * processes must have printed, and checks the facts across processes
 * itself. Also: --list and --only work, NO_COLOR is respected.
 */
import "./_helpers/bind_libc.ts"; // before anything calls libc: see the module
import assert from "node:assert/strict";
import { run, tempDir } from "./_helpers/run.ts";
import { parseXml } from "./_helpers/xml.ts";
import { callsDisagree, mermaidCalls } from "../scripts/trace/model.ts";
import { pagePictures } from "../scripts/trace/pages.ts";
import { sceneOf } from "../scripts/trace/trace.ts";
import { sceneFileName } from "../tour/tour.ts";

/** What one scene of the tour must show. */
interface Expected {
  /** The scene's title (after `━━ `), in course order. */
  title: string;
  /** Lines of the scene (`[role] text`, whole lines), in any order. */
  lines: (string | RegExp)[];
  /** The scene's ✔ lines, exactly these and in this order. */
  promises: (string | RegExp)[];
  /** Facts that take several lines (or processes) to check. */
  check?: (lines: string[]) => void;
}

const NO_FILE = "left no file behind";
const KEY = "0x[0-9a-f]{8}";

/** The text after `[role] ` of the lines of `role`. */
function said(lines: string[], role: string): string[] {
  return lines.filter((l) => l.startsWith(`[${role}] `)).map((l) => l.slice(role.length + 3));
}

/** `wanted` occurs in `got` in this order (other lines may come between). */
function assertInOrder(got: string[], wanted: string[], what: string): void {
  let next = 0;
  for (const line of got) if (next < wanted.length && line === wanted[next]) next++;
  assert.equal(next, wanted.length, `${what}: missing ${JSON.stringify(wanted[next])} in order`);
}

/** The one match of `pattern` among `lines`. */
function only(lines: string[], pattern: RegExp): RegExpExecArray {
  const found = lines.map((l) => pattern.exec(l)).filter((m) => m !== null);
  assert.equal(found.length, 1, `one line like ${pattern}: ${JSON.stringify(lines)}`);
  return found[0];
}

/** sem-ping / sem-pong: each round's digest sem-pong replied with is the one sem-ping verified. */
function digestsAgree(lines: string[]): void {
  const replied = said(lines, "pong").map((l) =>
    /^round (\d+): message intact, replied with its digest ([0-9a-f]{16})$/.exec(l)
  ).filter((m) => m !== null).map((m) => `${m[1]} ${m[2]}`);
  const verified = said(lines, "ping").map((l) =>
    /^round (\d+): sem-pong's digest ([0-9a-f]{16}) of my message verified$/.exec(l)
  ).filter((m) => m !== null).map((m) => `${m[1]} ${m[2]}`);
  assert.deepEqual(replied.map((r) => r.split(" ")[0]), ["1", "2", "3", "4", "5"]);
  assert.deepEqual(verified.sort(), replied.sort(), "sem-ping verified what sem-pong replied");
  assert.ok(
    !lines.some((l) => /torn (reply|message) \(|digest mismatch/.test(l)),
    "no torn message",
  );
}

function echoScene(title: string): Expected {
  const typed = ["hello", "a stream has no message boundaries", "çok güzel"];
  return {
    title,
    lines: [/^\[server\] echo-server: listening on \/.*\/echo\.sock$/],
    promises: [
      "echo.sock is a socket file",
      "every line came back as it was sent",
      "the client ended at EOF (exit 0)",
      "the server saw the client come and go",
      "SIGTERM stopped the server (exit 143)",
      "echo.sock was removed",
      NO_FILE,
    ],
    check(lines) {
      assert.deepEqual(said(lines, "client").filter((l) => l.startsWith("echo: ")), [
        ...typed.map((t) => `echo: ${t}`),
      ]);
      assertInOrder(said(lines, "server"), ["client 1 connected", "client 1 disconnected"], title);
    },
  };
}

function pingPongScene(title: string, lock: RegExp): Expected {
  return {
    title,
    lines: [
      lock,
      "[ping] sem-ping: 5 rounds, every digest verified, no torn message",
      "[pong] sem-pong: 5 rounds, every message intact",
    ],
    promises: [
      ...(lock.source.includes("POSIX")
        ? [/^the semaphore is the file \/dev\/shm\/sem\.ipc-lab-tour-sem-[0-9a-f]{8}$/]
        : ["ipcs lists the segment and the semaphore set"]),
      lock.source.includes("POSIX")
        ? "the lock is the POSIX semaphore"
        : "the lock is the SysV semaphore set",
      "sem-ping verified each of the 5 digests sem-pong replied with",
      "no torn message on either side",
      "both exited 0",
      new RegExp(`^no SysV object with key ${KEY} left$`),
      ...(lock.source.includes("POSIX")
        ? [/^\/ipc-lab-tour-sem-[0-9a-f]{8} was unlinked from \/dev\/shm$/]
        : []),
      NO_FILE,
    ],
    check: digestsAgree,
  };
}

/** Every scene of `deno task tour`, in course order. */
const SCENES: Expected[] = [
  {
    title: "pipe-parent-child: an anonymous pipe from parent to child",
    lines: ["[pipe-parent-child] 0 1 2 3 4 5 6 7 8 9"],
    promises: ["the child printed 0 1 2 3 4 5 6 7 8 9", "both exited 0", NO_FILE],
  },
  {
    title: "cpipe ls wc: how a shell builds `ls | wc`",
    // The scene's directory holds one file, hello.txt: `ls` prints 1 line,
    // 1 word, 10 bytes ("hello.txt\n").
    lines: [/^\[cpipe\] +1 +1 +10$/],
    promises: ["printed what `ls | wc` prints", "exited 0", NO_FILE],
  },
  {
    title: "cpipe yes 'head -1': SIGPIPE ends the writer, as in a shell",
    lines: [],
    promises: ["printed one y", "no 'Broken pipe' message", "exited 0", NO_FILE],
    check(lines) {
      assert.deepEqual(said(lines, "cpipe"), ["y"], "one y, and no 'Broken pipe'");
    },
  },
  {
    title: "pipe-semantics: the seed's read/write rules, as experiments",
    lines: [
      ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => new RegExp(`^\\[pipe-semantics\\] ${n}\\. \\S`)),
      /^\[pipe-semantics\] {4}kernel: the first read waited \d+ ms and returned 5 \("hello"\), not 100; the second returned 5 \("world"\)\.$/,
      "[pipe-semantics]    kernel: read failed with EAGAIN; after the writer closed, read returned 0.",
      /^\[pipe-semantics\] {4}kernel: PIPE_BUF-sized writes: (\d+) of \1 bytes arrived; .* 0 run\(s\) were not whole records\./,
      "[pipe-semantics]    kernel: our write failed with EPIPE; yes killed by SIGPIPE.",
      /^\[pipe-semantics\] {4}kernel: PIPE_BUF = 4096; F_GETPIPE_SZ = 65536; the pipe took 65536 bytes\./,
    ],
    promises: [
      "all nine experiments ran",
      "O_NONBLOCK read on an empty pipe: EAGAIN",
      "no write of PIPE_BUF bytes was split",
      "EPIPE here, SIGPIPE in a child",
      "capacity 65536 is not PIPE_BUF 4096",
      NO_FILE,
    ],
  },
  {
    title: "writefifo / readfifo: a named pipe between unrelated processes",
    lines: [
      "[writer] text:hello   <- typed",
      "[writer] text:world   <- typed",
      "[writer] text:quit   <- typed",
    ],
    promises: [
      "the reader printed hello and world on their own lines",
      "quit ended both (exit 0)",
      NO_FILE,
    ],
    check(lines) {
      const printed = said(lines, "reader").filter((l) => !l.startsWith("readfifo: "));
      assert.deepEqual(printed, ["hello", "world"], "the reader printed the two lines, not quit");
    },
  },
  {
    title: "fifo-server / fifo-client: one request FIFO, a reply FIFO per client",
    lines: [
      /^\[server\] fifo-server: serving sequence numbers on \/.*\/seqnum_sv$/,
      "  (sending SIGTERM to server)",
    ],
    promises: [
      "every client exited 0",
      "the ranges 0..9 were handed out once each, no reply went to the wrong client",
      "SIGTERM stopped the server (exit 143), removing its FIFO",
      NO_FILE,
    ],
    check(lines) {
      // The clients asked for 3, 2 and 4 numbers: the server's grants tile 0..8.
      const grants = said(lines, "server").map((l) => /^pid \d+: (\d+) numbers from (\d+)$/.exec(l))
        .filter((m) => m !== null).map((m) => ({ count: Number(m[1]), first: Number(m[2]) }))
        .sort((a, b) => a.first - b.first);
      assert.equal(grants.length, 3, JSON.stringify(lines));
      let next = 0;
      for (const g of grants) {
        assert.equal(g.first, next, `ranges tile 0..8: ${JSON.stringify(grants)}`);
        next += g.count;
      }
      assert.equal(next, 9);
      [3, 2, 4].forEach((count, i) => {
        const got = said(lines, `client ${i + 1}`);
        assert.equal(got.length, 1, `client ${i + 1} printed one number: ${got}`);
        const grant = grants.find((g) => g.first === Number(got[0]));
        assert.equal(grant?.count, count, `client ${i + 1} got the start of its own ${count}`);
      });
    },
  },
  {
    title: "shmproc1 / shmproc2: System V shared memory by key",
    lines: [
      "[shmproc1] press ENTER to key to continue...",
      "[shmproc2] Press ENTER to continue...",
      "[shmproc2] This is a test",
    ],
    promises: [
      "shmproc2 printed This is a test",
      "both exited 0",
      new RegExp(`^no segment with key ${KEY} in /proc/sysvipc/shm$`),
      NO_FILE,
    ],
  },
  {
    title: "write-shm / read-shm: a segment outlives its writer",
    lines: ["[read-shm] Data read from memory: This is a test"],
    promises: [
      "write-shm exited 0 and left the segment",
      "ipcs lists the segment",
      "read-shm printed the message",
      "read-shm exited 0",
      "read-shm --remove removed the segment",
      NO_FILE,
    ],
    check(lines) {
      const [, pid] = only(
        lines,
        /^\[write-shm\] Data written in memory: message from pid (\d+): This is a test$/,
      );
      const [, key, shmid] = only(
        lines,
        new RegExp(`^\\[write-shm\\] Shared memory key (${KEY}) \\(shmid (\\d+)\\) keeps it`),
      );
      only(lines, new RegExp(`^\\[ipcs\\] ${key} ${shmid} +\\S+ +660 +4096 +0 +$`));
      only(lines, new RegExp(`^\\[read-shm\\] Written by pid ${pid}$`));
      only(
        lines,
        new RegExp(`^\\[read-shm\\] Removed shared memory key ${key} \\(shmid ${shmid}\\)\\.$`),
      );
    },
  },
  {
    title: "mmap-ex2 s + mmap-ex2 s: MAP_SHARED",
    lines: [
      "[A] Current mmap -> 'New memory map data",
      "[B] Current mmap -> 'New memory map data",
    ],
    promises: [
      "A's '*' shows A's line",
      "B's '*' shows A's line",
      "the file has A's line",
      "both ended cleanly at EOF (exit 0)",
      NO_FILE,
    ],
  },
  {
    title: "mmap-ex2 p + mmap-ex2 p: MAP_PRIVATE",
    lines: [
      "[A] Current mmap -> 'private words",
      /^\[B\] Current mmap -> '\(\*\) What's difference between Shared mmap and Private mmap\? *'$/,
    ],
    promises: [
      "A's '*' shows A's line",
      "B's '*' does not show A's line",
      "the file still has the original text",
      "both ended cleanly at EOF (exit 0)",
      NO_FILE,
    ],
    check(lines) {
      assert.ok(!said(lines, "B").some((l) => l.includes("private words")), "B never saw it");
    },
  },
  {
    title: "posix-shm-writer / posix-shm-reader: POSIX shared memory by name",
    lines: ["[reader] This is a test"],
    promises: [
      "the reader printed This is a test",
      "both exited 0",
      /^\/dev\/shm\/ipc-lab-tour-shm-[0-9a-f]{8} was unlinked$/,
      NO_FILE,
    ],
  },
  {
    title: "sysv-msg-server / sysv-msg-client: typed messages on one System V queue",
    lines: ["[stop] stop request sent"],
    promises: [
      "ipcs -q lists the queue",
      "each client got its own replies, in upper case, and no other",
      "the server saw each request with its client's pid",
      "both clients ended at EOF (exit 0)",
      "sysv-msg-client --stop sent the stop request (mtype 2)",
      "the server removed the queue and ended (exit 0)",
      new RegExp(`^no SysV object with key ${KEY} left$`),
      NO_FILE,
    ],
    check(lines) {
      const [, key, msqid] = only(
        lines,
        new RegExp(`^\\[server\\] sysv-msg-server: queue (${KEY}) \\(msqid (\\d+)\\) ready`),
      );
      only(lines, new RegExp(`^\\[ipcs\\] ${key} ${msqid} +\\S+ +600 +\\d+ +\\d+ +$`));
      assert.deepEqual(said(lines, "client 1").filter((l) => l.startsWith("reply: ")), [
        "reply: HELLO FROM ONE",
        "reply: SECOND LINE OF ONE",
      ]);
      assert.deepEqual(said(lines, "client 2").filter((l) => l.startsWith("reply: ")), [
        "reply: HELLO FROM TWO",
        "reply: SECOND LINE OF TWO",
      ]);
      const requests = said(lines, "server").filter((l) => l.startsWith("request from pid "));
      assert.equal(requests.length, 4, JSON.stringify(requests));
      const pidOf = (text: string) =>
        only(requests, new RegExp(`^request from pid (\\d+): ${text}$`))[1];
      assert.equal(pidOf("hello from one"), pidOf("second line of one"));
      assert.equal(pidOf("hello from two"), pidOf("second line of two"));
      assert.notEqual(pidOf("hello from one"), pidOf("hello from two"));
      assert.match(
        said(lines, "server").at(-1)!,
        /^stop request from pid \d+: removing the queue$/,
      );
    },
  },
  {
    title: "posix-mq-receive / posix-mq-send: a POSIX queue gives the highest priority first",
    lines: [/^\[receiver\] posix-mq-receive: queue \/ipc-lab-tour-mq-[0-9a-f]{8} ready/],
    promises: [
      "sent as low, urgent, normal; received as urgent, normal, low",
      "quit (priority 0) ended the receiver (exit 0)",
      "the sender ended at EOF (exit 0)",
      /^the queue \/ipc-lab-tour-mq-[0-9a-f]{8} was unlinked$/,
      NO_FILE,
    ],
    check(lines) {
      assertInOrder(said(lines, "sender"), [
        "sent with priority 1: low",
        "sent with priority 7: urgent",
        "sent with priority 3: normal",
        "sent with priority 0: quit",
      ], "sender");
      assert.deepEqual(said(lines, "receiver").filter((l) => /^priority \d/.test(l)), [
        "priority 7: urgent",
        "priority 3: normal",
        "priority 1: low",
        "priority 0: quit",
      ]);
    },
  },
  echoScene("echo-server / echo-client: a Unix domain socket through libc"),
  echoScene("echo-server-deno / echo-client: the same server through Deno.listen"),
  {
    title: "fd-pass-sender / fd-pass-receiver: an open file descriptor over a socket",
    lines: [
      /^\[sender\] fd-pass-sender: listening on \/.*\/fd-pass\.sock, passing fd \d+: \/.*\/secret\.txt, now deleted$/,
      /^\[receiver\] only through the descriptor [0-9a-f]{8}$/,
    ],
    promises: [
      "secret.txt has no name any more",
      "the receiver read the deleted file through the passed fd",
      "the sender passed its fd to receiver 1",
      "both exited 0",
      "fd-pass.sock was removed",
      NO_FILE,
    ],
  },
  {
    title: "fd-pass-sender --clients 2: two receivers, one open file, one offset",
    lines: [
      /^\[sender\] fd-pass-sender: listening on .*, passing fd \d+: an unnamed file \(O_TMPFILE\)$/,
    ],
    promises: [
      "receiver 1 read the unnamed file",
      "receiver 2 read nothing: the shared offset was already at the end",
      "all three exited 0",
      NO_FILE,
    ],
    check(lines) {
      const [first, second] = [said(lines, "receiver 1"), said(lines, "receiver 2")];
      assert.equal(first.length, 2, JSON.stringify(first));
      assert.match(first[0], /^received fd \d+$/);
      assert.equal(
        first[1],
        "This file has no name: only the descriptor you were passed leads to it.",
      );
      assert.equal(second.length, 1, `receiver 2 read nothing: ${JSON.stringify(second)}`);
      assert.match(second[0], /^received fd \d+$/);
      // One open file: the same descriptor of the sender went to both.
      const passed = said(lines, "sender").map((l) => /^passed fd (\d+) to receiver (\d+)$/.exec(l))
        .filter((m) => m !== null).map((m) => [m[1], m[2]]);
      assert.deepEqual(passed.map(([, to]) => to), ["1", "2"]);
      assert.equal(passed[0][0], passed[1][0], "the same fd both times");
    },
  },
  pingPongScene(
    "sem-ping / sem-pong: shared memory guarded by a System V semaphore",
    new RegExp(
      `^\\[ping\\] sem-ping: segment ${KEY} \\(shmid \\d+\\), lock: SysV semaphore set \\(semid \\d+\\)$`,
    ),
  ),
  pingPongScene(
    "sem-ping --posix / sem-pong: the lock is a POSIX named semaphore",
    new RegExp(
      `^\\[ping\\] sem-ping: segment ${KEY} \\(shmid \\d+\\), lock: POSIX named semaphore /ipc-lab-tour-sem-[0-9a-f]{8}$`,
    ),
  ),
];

/** The tour's output cut into scenes: title, then the lines until the next title. */
function scenes(stdout: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of stdout.split("\n")) {
    if (line.startsWith("━━ ")) {
      current = [];
      assert.ok(!found.has(line.slice(3)), `scene shown twice: ${line}`);
      found.set(line.slice(3), current);
    } else if (/^\d+ of \d+ examples did what they promise$/.test(line)) {
      current = undefined;
    } else current?.push(line);
  }
  return found;
}

function matches(line: string, want: string | RegExp): boolean {
  return typeof want === "string" ? line === want : want.test(line);
}

/** Check one scene's lines against what the test expects of it. */
function assertScene(expected: Expected, lines: string[]): void {
  const where = `scene "${expected.title}":\n${lines.join("\n")}`;
  for (const want of expected.lines) {
    assert.ok(lines.some((l) => matches(l, want)), `${where}\nno line ${want}`);
  }
  const promises = lines.filter((l) => l.startsWith("  ✔ ")).map((l) => l.slice(4));
  assert.equal(promises.length, expected.promises.length, `${where}\nits promises differ`);
  expected.promises.forEach((want, i) => {
    assert.ok(matches(promises[i], want), `${where}\npromise ${i + 1} is not ${want}`);
  });
  expected.check?.(lines);
}

Deno.test("deno task tour: every scene shows what its example promises, and its picture", async (t) => {
  await using pictures = await tempDir("ipc-lab-pictures-");
  const r = await run("tour", ["--pictures", pictures.path], { env: { NO_COLOR: "1" } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /✘/);
  assert.ok(
    r.stdout.includes(`\n${SCENES.length} of ${SCENES.length} examples did what they promise\n`),
  );
  assert.ok(!r.stdout.includes("\u001b["), "NO_COLOR: no escape sequences");
  const shown = scenes(r.stdout);
  assert.deepEqual([...shown.keys()], SCENES.map((s) => s.title), "the scenes, in course order");
  for (const expected of SCENES) assertScene(expected, shown.get(expected.title)!);

  await t.step("--pictures: one SVG per scene, well-formed, drawing what its Mermaid says", () => {
    const files = [...Deno.readDirSync(pictures.path)].map((e) => e.name).sort();
    assert.equal(files.filter((f) => f.endsWith(".svg")).length, SCENES.length, files.join(" "));
    for (const svg of files.filter((f) => f.endsWith(".svg"))) {
      const drawn = svgFacts(Deno.readTextFileSync(`${pictures.path}/${svg}`), svg);
      const mermaid = Deno.readTextFileSync(`${pictures.path}/${svg.replace(/svg$/, "mmd")}`);
      const participants = [...mermaid.matchAll(/^\s*participant (\S+) as (.+)$/gm)];
      assert.deepEqual(drawn.lifelines, participants.map((m) => m[2]), `${svg}: lifelines`);
      const arrows = mermaid.match(/^\s*\w+-{1,2}>>\w+: /gm) ?? [];
      assert.equal(drawn.arrows.length, arrows.length, `${svg}: one arrow per call`);
      assert.ok(drawn.arrows.length > 0 && drawn.exits > 0, `${svg}: calls and an exit`);
    }
  });

  await t.step("pipe-parent-child's picture: parent, pipe, child, ten writes and the reads", () => {
    const svg = Deno.readTextFileSync(`${pictures.path}/01-pipe-parent-child.svg`);
    const drawn = svgFacts(svg, "pipe-parent-child");
    assert.deepEqual(drawn.lifelines, ["parent", "pipe", "child"]);
    const writes = drawn.arrows.filter((a) => a.label.startsWith("write(") && a.to === "o_pipe");
    const reads = drawn.arrows.filter((a) => a.label.startsWith("read(") && a.to === "p_child");
    // Ten writes: drawn ten times, or once inside a "loop ×10" frame.
    const times = (a: { loops: number[] }) => a.loops.reduce((x, y) => x * y, 1);
    assert.equal(writes.reduce((n, a) => n + times(a), 0), 10, JSON.stringify(writes));
    assert.equal(reads.reduce((n, a) => n + times(a), 0), 11, "ten reads of 4 bytes, one of EOF");
  });

  await t.step("shmproc1 / shmproc2's picture: both processes attach one segment", () => {
    const drawn = svgFacts(
      Deno.readTextFileSync(`${pictures.path}/07-shmproc1-shmproc2.svg`),
      "shmproc1",
    );
    const attach = drawn.arrows.filter((a) => a.label.startsWith("shmat("));
    assert.deepEqual(attach.map((a) => a.from).sort(), ["p_shmproc1", "p_shmproc2"]);
    assert.equal(new Set(attach.map((a) => a.to)).size, 1, "one segment");
  });

  await t.step("every topic page's diagram agrees with this run (deno task trace)", () => {
    const checked: string[] = [];
    for (const page of pagePictures()) {
      assert.ok(page.pictures.length > 0, `${page.path}: no diagram of a real run`);
      for (const p of page.pictures) {
        const scene = sceneOf(p.name);
        assert.ok(scene, `${page.path}: no scene plays ${p.name}`);
        const run = Deno.readTextFileSync(`${pictures.path}/${sceneFileName(scene)}.mmd`);
        const problems = callsDisagree(mermaidCalls(p.fence), mermaidCalls(run), p.excerpt);
        assert.deepEqual(
          problems,
          [],
          `${page.path}: the diagram of ${p.name} differs from a run ` +
            `(deno task trace --update-pages redraws it):\n${problems.join("\n")}`,
        );
        checked.push(p.name);
      }
    }
    assert.ok(checked.length >= 14, `diagrams checked: ${checked.join(", ")}`);
  });
});

/** What an SVG of scripts/trace/svg.ts draws, read back through its test hooks. */
function svgFacts(svg: string, what: string) {
  let elements;
  try {
    elements = parseXml(svg);
  } catch (e) {
    throw new Error(`${what}: not well-formed XML: ${e instanceof Error ? e.message : e}`);
  }
  assert.equal(elements[0].name, "svg", `${what}: the root is <svg>`);
  assert.equal(elements[0].attributes.xmlns, "http://www.w3.org/2000/svg");
  assert.ok(!elements.some((e) => e.name === "script"), `${what}: no script`);
  const lifelines = elements.filter((e) => e.attributes.class === "lifeline").map((e) =>
    e.attributes["data-label"]
  );
  // An arrow's label is the first <text> inside its group; the loops around it are its ancestors.
  const arrows = elements.flatMap((e, i) => {
    if (!/^arrow( error)?$/.test(e.attributes.class ?? "")) return [];
    const depth = e.ancestors.length;
    const inside = elements.slice(i + 1).filter((x, j, all) =>
      x.ancestors.length > depth && all.slice(0, j).every((y) => y.ancestors.length > depth)
    );
    const label = inside.find((x) => x.name === "text")?.text ?? "";
    return [{
      from: e.attributes["data-from"],
      to: e.attributes["data-to"],
      label,
      loops: [] as number[],
    }];
  });
  // Loops: a frame's rows are the arrows drawn between its top and bottom (same x-independent y order).
  for (const loop of elements.filter((e) => e.attributes.class === "loop")) {
    const count = Number(loop.attributes["data-count"]);
    const [top, bottom] = [
      Number(loop.attributes["data-top"]),
      Number(loop.attributes["data-bottom"]),
    ];
    elements.forEach((e, i) => {
      if (!/^arrow( error)?$/.test(e.attributes.class ?? "")) return;
      const y = Number(e.attributes["data-y"]);
      if (y > top && y < bottom) arrows[arrowsIndex(elements, i)].loops.push(count);
    });
  }
  const exits = elements.filter((e) => /^exit( error)?$/.test(e.attributes.class ?? "")).length;
  return { lifelines, arrows, exits };
}

function arrowsIndex(elements: { attributes: Record<string, string> }[], i: number): number {
  return elements.slice(0, i).filter((e) => /^arrow( error)?$/.test(e.attributes.class ?? ""))
    .length;
}

Deno.test("tour --list names the topics in course order; --only runs one topic", async () => {
  const list = await run("tour", ["--list"]);
  assert.equal(list.code, 0);
  const topics = list.stdout.split("\n").filter((l) => l && !l.startsWith(" "));
  assert.deepEqual(topics, [
    "pipes",
    "fifo",
    "sysv-shm",
    "mmap",
    "posix-shm",
    "msg-queues",
    "sockets",
    "semaphores",
  ]);
  // One small topic (a bad --only is in the bad-input table: exit 2 and its message).
  const only = await run("tour", ["--only", "posix-shm"], { env: { NO_COLOR: "1" } });
  assert.equal(only.code, 0, only.stdout);
  const shown = scenes(only.stdout);
  const posixShm = SCENES.filter((s) => s.title.startsWith("posix-shm-writer"));
  assert.equal(posixShm.length, 1);
  assert.deepEqual([...shown.keys()], posixShm.map((s) => s.title));
  assertScene(posixShm[0], shown.get(posixShm[0].title)!);
  assert.match(only.stdout, /\n1 of 1 examples did what they promise\n/);
});

Deno.test("tour --trace shows each process's system calls under its label, tagged with its role", async () => {
  // One small topic: the pipes' parent/child tags are checked in tests/trace_test.ts.
  const r = await run("tour", ["--only", "posix-shm", "--trace"], { env: { NO_COLOR: "1" } });
  assert.equal(r.code, 0, r.stdout);
  assert.match(
    r.stdout,
    /^\[writer\] \[writer \d+\] shm_open\("\/ipc-lab-tour-shm-\w+", O_RDWR\|O_CREAT, 0660\) = \d+$/m,
  );
  assert.match(
    r.stdout,
    /^\[reader\] \[reader \d+\] shm_open\("\/ipc-lab-tour-shm-\w+", O_RDONLY\) = \d+$/m,
  );
});
