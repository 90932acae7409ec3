/**
 * One command-line convention (lib/args.ts `runMain`; README "Running an
 * example by hand"):
 * - `--help` on every task of deno.json prints its usage on stdout, exit 0,
 *   nothing on stderr, and the usage names every option the program takes
 *   (read from its source: each `takeOption(args, "x")` / `takeFlag(args,
 *   "x")`, its own or inside a helper it calls, must appear as `--x`);
 * - a bad option prints the usage on stderr and exits non-zero (or, where
 *   the C original has its own message, exactly that message);
 * - programs that wait for typed input say so on a terminal, and only there;
 * - readfifo says "waiting for a writer" only when it waits.
 */
import "./_helpers/bind_libc.ts"; // before anything calls libc: see the module
import assert from "node:assert/strict";
import { UsageError, wantsHelp } from "../lib/args.ts";
import { O } from "../lib/constants.ts";
import { openFile, read, write } from "../lib/fd.ts";
import { mkfifo } from "../lib/fifo.ts";
import { unlink } from "../lib/files.ts";
import { PosixMessageQueue } from "../lib/posix_mq.ts";
import { MessageQueue } from "../lib/sysv_msg.ts";
import { bind, listen, socket } from "../lib/socket.ts";
import { requireTool } from "../scripts/c_originals.ts";
import { TASKS } from "../scripts/tasks.ts";
import { mapLimited } from "../scripts/task_process.ts";
import { replyFifoPath } from "../examples/fifo/seqnum.ts";
import { randomKey, randomTag, ROOT, run, Started, taskArgs, tempDir } from "./_helpers/run.ts";
import { LeakGuard } from "./_helpers/leaks.ts";

/**
 * Tasks that are not programs of ours, so have no `--help` of ours: each
 * runs a `deno` subcommand (or a shell line) whose flags are Deno's.
 */
const NOT_PROGRAMS: Record<string, string> = {
  test: "`deno test`: its --help is deno test's own",
  check: "`deno check`: a deno subcommand, no program of ours",
  "doc:lint": "`deno doc --lint`: a deno subcommand, no program of ours",
  docs: "`mkdir -p docs && deno doc ...`: a shell line of deno subcommands",
};

/** Every task that runs a program of ours (`deno run ... FILE.ts`). */
const PROGRAM_TASKS = Object.keys(TASKS).filter((t) => !(t in NOT_PROGRAMS));

/** The program's source file: the `.ts` file its `deno run` line names. */
function sourceOf(task: string): string {
  const file = taskArgs(task).find((w) => w.endsWith(".ts"));
  assert.ok(file, `task ${task} names no .ts file`);
  return `${ROOT}/${file}`;
}

/** The literal option names of `takeOption(args, "x")` / `takeFlag(args, "x")` in `text`. */
function takenIn(text: string): string[] {
  return [...text.matchAll(/\btake(?:Option|Flag)\(\s*\w+,\s*"([^"]+)"/g)].map((m) => m[1]);
}

/** Exported functions of `text` whose body takes options: name to options. */
function optionHelpers(text: string): Map<string, string[]> {
  const helpers = new Map<string, string[]>();
  for (const m of text.matchAll(/^export function (\w+)\(/gm)) {
    const end = text.indexOf("\n}\n", m.index);
    const taken = takenIn(text.slice(m.index, end === -1 ? undefined : end));
    if (taken.length > 0) helpers.set(m[1], taken);
  }
  return helpers;
}

/** lib/'s helpers that take options (`takeKey` takes `--key`...). */
const LIB_HELPERS = new Map(
  [...Deno.readDirSync(`${ROOT}/lib`)]
    .filter((e) => e.isFile && e.name.endsWith(".ts"))
    .flatMap((e) => [...optionHelpers(Deno.readTextFileSync(`${ROOT}/lib/${e.name}`))]),
);

/**
 * Every `--option` the program of `task` takes: its own `takeOption` /
 * `takeFlag` calls, and those inside the helpers it calls (lib/'s, or its
 * topic's local modules', e.g. socket_args.ts `takeSocketPath` → `--path`).
 */
function optionsOf(task: string): string[] {
  const path = sourceOf(task);
  const text = Deno.readTextFileSync(path);
  const helpers = new Map(LIB_HELPERS);
  const dir = path.slice(0, path.lastIndexOf("/"));
  for (const m of text.matchAll(/from "(\.\/[\w./-]+\.ts)"/g)) {
    for (const [name, taken] of optionHelpers(Deno.readTextFileSync(`${dir}/${m[1]}`))) {
      helpers.set(name, taken);
    }
  }
  const options = new Set(takenIn(text));
  for (const [name, taken] of helpers) {
    if (new RegExp(`\\b${name}\\(`).test(text)) { for (const o of taken) options.add(o); }
  }
  return [...options].map((o) => `--${o}`);
}

/**
 * Where the C original has its own message for bad arguments, the port
 * prints exactly that, alone (the interop tests compare them with the C's).
 */
const ORIGINAL_MESSAGES: Record<string, string> = {
  cpipe: "wrong number of arguments!..\n",
  "mmap-ex2": "Usage : mmap_ex2 <s | p>\n",
};

Deno.test("wantsHelp: -h or --help anywhere before --; UsageError prints the usage unless told", () => {
  assert.equal(wantsHelp(["--help"]), true);
  assert.equal(wantsHelp(["--key", "0x10", "-h"]), true);
  assert.equal(wantsHelp(["--", "--help"]), false);
  assert.equal(wantsHelp(["--helpful", "-hx"]), false);
  assert.equal(new UsageError("bad").withUsage, true);
  assert.equal(new UsageError("bad", 2).exitCode, 2);
  assert.equal(new UsageError("C's own", 1, { withUsage: false }).withUsage, false);
});

Deno.test("every task is a program of ours or listed as a deno subcommand", () => {
  for (const task of PROGRAM_TASKS) {
    assert.match(
      TASKS[task],
      /^deno run /,
      `${task}: not a deno run task; list it in NOT_PROGRAMS`,
    );
  }
  for (const task of Object.keys(NOT_PROGRAMS)) assert.ok(task in TASKS, `no task ${task}`);
});

/**
 * `-h` is checked end to end on a few tasks only (each costs a process): every
 * program starts through runMain (asserted below from its source), whose
 * `wantsHelp` treats `-h` as `--help` (unit-tested above).
 */
const SHORT_HELP_SAMPLE = ["cpipe", "ipcs", "ipcrm", "fifo-client", "tour", "compare"];

Deno.test("--help, -h and a bad option on every task", async (t) => {
  await using dir = await tempDir();
  const guard = new LeakGuard({ dir: dir.path });
  const jobs: [string, string][] = [
    ...PROGRAM_TASKS.map((t): [string, string] => [t, "--help"]),
    ...SHORT_HELP_SAMPLE.map((t): [string, string] => [t, "-h"]),
    ...PROGRAM_TASKS.map((t): [string, string] => [t, "--no-such-option"]),
  ];
  const all = await mapLimited(jobs, ([task, arg]) => run(task, [arg], { cwd: dir.path }));
  const helps = all.slice(0, PROGRAM_TASKS.length);
  const shorts = all.slice(PROGRAM_TASKS.length, PROGRAM_TASKS.length + SHORT_HELP_SAMPLE.length);
  const bads = all.slice(PROGRAM_TASKS.length + SHORT_HELP_SAMPLE.length);

  await t.step("--help: the usage on stdout, naming every option, exit 0", () => {
    PROGRAM_TASKS.forEach((task, i) => {
      const r = helps[i];
      const what = `deno task ${task} --help`;
      assert.equal(r.code, 0, `${what} exited ${r.code}: ${r.stderr}`);
      assert.equal(r.stderr, "", `${what} printed on stderr`);
      assert.match(r.stdout, /^usage: /, `${what}: stdout does not start with the usage`);
      const usage = r.stdout.split("\n")[0];
      for (const option of optionsOf(task)) {
        assert.ok(
          new RegExp(`${option}(?![\\w-])`).test(usage),
          `${task}: the usage line does not name ${option} (the program takes it): ${usage}`,
        );
      }
      const source = Deno.readTextFileSync(sourceOf(task));
      assert.match(source, /\brunMain\(/, `${task}: does not start through runMain`);
    });
  });

  await t.step("-h: the same as --help", () => {
    SHORT_HELP_SAMPLE.forEach((task, i) => {
      const r = shorts[i];
      assert.deepEqual(
        [r.code, r.stdout, r.stderr],
        [0, helps[PROGRAM_TASKS.indexOf(task)].stdout, ""],
        `deno task ${task} -h`,
      );
    });
  });

  await t.step(
    "a bad option: the usage (or the original's message) on stderr, exit non-zero",
    () => {
      PROGRAM_TASKS.forEach((task, i) => {
        const bad = bads[i];
        const what = `deno task ${task} --no-such-option`;
        assert.notEqual(bad.code, 0, `${what} exited 0`);
        assert.equal(bad.stdout, "", `${what} printed on stdout`);
        const original = ORIGINAL_MESSAGES[task];
        if (original !== undefined) assert.equal(bad.stderr, original, what);
        else {
          const usage = helps[i].stdout.split("\n")[0];
          assert.ok(bad.stderr.includes(usage), `${what}: no usage on stderr:\n${bad.stderr}`);
        }
      });
    },
  );
  guard.check();
});

// ------------------------------------------------------------- on a terminal

/** Quote a word for `sh`. */
function shellWord(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * Start task `name` as a person at a terminal would: under `script`, which
 * gives it a pseudo-terminal as stdin, stdout and stderr (all three arrive
 * on the Started's stdout, with \r\n line ends). Closing its stdin is
 * Ctrl+D at the terminal.
 */
function startOnTerminal(name: string, args: string[], cwd: string): Started {
  const command = [Deno.execPath(), ...taskArgs(name), ...args].map(shellWord).join(" ");
  return new Started(name, {
    command: requireTool("script"),
    args: ["-qefc", command, "/dev/null"],
    cwd: ROOT,
    env: { INIT_CWD: cwd, NO_COLOR: "1" },
  });
}

/**
 * Run a program that reads typed lines with an immediate end of input,
 * once on a terminal and once from a pipe: the hint only on the terminal.
 */
async function hintOnlyOnTerminal(name: string, args: string[], cwd: string, hint: string) {
  await using onTerminal = startOnTerminal(name, args, cwd);
  await onTerminal.waitFor(hint);
  await onTerminal.closeStdin(); // Ctrl+D
  const t = await onTerminal.finish();
  assert.equal(t.code, 0, t.stdout);
  const piped = await run(name, args, { cwd, stdin: "" });
  assert.deepEqual([piped.code, piped.stdout, piped.stderr], [0, "", ""], `${name}, from a pipe`);
}

Deno.test("sysv-msg-client, posix-mq-send, echo-client: say they wait for typed lines, on a terminal only", async () => {
  await using dir = await tempDir();
  const key = randomKey();
  const tag = randomTag();
  const mqName = `/ipc-lab-cli-${tag}`;
  const sockPath = `${dir.path}/echo-${tag}.sock`;
  using guard = new LeakGuard({ keys: [key], tag, dir: dir.path });
  {
    // Each program's peer, just enough for it to start: a queue, a queue, a listening socket.
    using _sysv = MessageQueue.create(key, { mode: 0o600 });
    using _mq = PosixMessageQueue.create(mqName, { mode: 0o600 });
    using listener = socket();
    bind(listener.fd, sockPath);
    listen(listener.fd);
    try {
      await Promise.all([
        hintOnlyOnTerminal(
          "sysv-msg-client",
          ["--key", String(key)],
          dir.path,
          "sysv-msg-client: type lines to send",
        ),
        hintOnlyOnTerminal(
          "posix-mq-send",
          ["--name", mqName],
          dir.path,
          "posix-mq-send: type lines to send",
        ),
        hintOnlyOnTerminal(
          "echo-client",
          ["--path", sockPath],
          dir.path,
          "echo-client: connected to",
        ),
      ]);
    } finally {
      unlink(sockPath);
    }
  }
  guard.check();
});

Deno.test("fifo-client on a terminal says it waits for a server that does not answer", async () => {
  await using dir = await tempDir();
  const guard = new LeakGuard({ dir: dir.path });
  const serverPath = `${dir.path}/seqnum_sv`;
  mkfifo(serverPath, 0o600);
  // A server that reads but is slow to answer: this test, which answers only once the client
  // has said that it waits.
  const server = openFile(serverPath, O.RDONLY | O.NONBLOCK | O.CLOEXEC);
  try {
    await using client = startOnTerminal("fifo-client", [], dir.path);
    await client.waitFor("fifo-client: request sent to");
    await client.waitFor("waiting for the server's reply");
    const buf = new Uint8Array(100);
    const request = new TextDecoder().decode(buf.subarray(0, read(server.fd, buf)));
    const pid = Number(request.split(" ")[0]);
    const reply = openFile(replyFifoPath(serverPath, pid), O.WRONLY | O.NONBLOCK | O.CLOEXEC);
    write(reply.fd, new TextEncoder().encode("42\n"));
    reply.close();
    const c = await client.finish();
    assert.equal(c.code, 0, c.stdout);
    assert.match(c.stdout, /\r\n42\r\n$/);
  } finally {
    server.close();
    unlink(serverPath);
  }
  guard.check();
});

Deno.test("readfifo does not say 'waiting for a writer' when a writer has already written", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/testfifo`;
  mkfifo(path, 0o644);
  const guard = new LeakGuard({ dir: dir.path });
  // O_RDWR: both ends in this test (Linux), so the messages wait in the FIFO before readfifo runs.
  const writer = openFile(path, O.RDWR | O.NONBLOCK | O.CLOEXEC);
  try {
    write(writer.fd, new TextEncoder().encode("hello\0quit\0"));
    const r = await run("readfifo", [], { cwd: dir.path });
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, "hello\n", ""]);
    guard.check();
  } finally {
    writer.close();
    unlink(path);
  }
});
