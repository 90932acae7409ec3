/**
 * The bad-input table: every program, each bad input the suite tries, and
 * the message and exit code it gives, measured by running it. Prints the
 * Markdown table that README.md carries between its `bad-inputs` markers;
 * `tests/bad_inputs_test.ts` checks the README still says what the
 * programs really do.
 *
 * Run: `deno task bad-inputs` (prints the table; it takes no arguments).
 *
 * @module
 */
import { runMain, UsageError } from "../lib/args.ts";
import { ROOT, taskArgv } from "./tasks.ts";

const USAGE = "usage: deno task bad-inputs   (prints the README's bad-input table; no arguments)";

/** One bad input: the task, its arguments, and what is wrong with them. */
export interface BadInput {
  task: string;
  args: string[];
  what: string;
  /**
   * What qemu-user cannot emulate about this case, if anything: under
   * emulation the suite reports the case as ignored, with this reason.
   */
  emulation?: string;
}

/**
 * The cases. Keys and names here name objects that do not exist; nothing is
 * ever created by them.
 */
export const BAD_INPUTS: BadInput[] = [
  { task: "pipe-parent-child", args: ["x"], what: "an argument" },
  { task: "cpipe", args: [], what: "no programs" },
  { task: "cpipe", args: ["ls"], what: "one program" },
  {
    task: "cpipe",
    args: ["no-such-program", "wc"],
    what: "a program that does not exist",
    emulation: "qemu runs posix_spawn's CLONE_VFORK as a plain fork, so the child's failed " +
      "exec is not reported back: posix_spawnp returns 0 and the child exits 127",
  },
  { task: "pipe-semantics", args: ["--bogus"], what: "an unknown option" },
  {
    task: "writefifo",
    args: ["--path", "/nonexistent/dir/testfifo"],
    what: "a FIFO in a missing directory",
  },
  { task: "readfifo", args: ["--path", "/etc/hostname"], what: "a path that is a regular file" },
  { task: "readfifo", args: ["--path", "/root"], what: "a path that is a directory" },
  { task: "fifo-server", args: ["x"], what: "an extra argument" },
  { task: "fifo-client", args: ["x", "y"], what: "two counts" },
  { task: "shmproc1", args: ["--key", "banana"], what: "a key that is not a number" },
  { task: "shmproc2", args: ["--key"], what: "--key without a value" },
  { task: "write-shm", args: ["--bogus"], what: "an unknown option" },
  { task: "read-shm", args: ["--key", "0x7e11e5e5"], what: "no segment with that key" },
  { task: "ipcs", args: ["-x"], what: "an unknown option" },
  { task: "ipcrm", args: [], what: "nothing to remove" },
  { task: "ipcrm", args: ["-m", "999999999"], what: "a shmid that does not exist" },
  { task: "mmap-ex2", args: [], what: "no argument" },
  { task: "mmap-ex2", args: ["x"], what: "neither s nor p" },
  {
    task: "mmap-ex2",
    args: ["s", "--file", "/nonexistent/dir/shared_mmap"],
    what: "a file in a missing directory",
  },
  { task: "mmap-ex2", args: ["s", "--file", "/dev/null"], what: "a file that cannot be mapped" },
  { task: "posix-shm-writer", args: ["--name", "noslash"], what: "a name without the slash" },
  { task: "posix-shm-reader", args: ["--name", "/ipc-lab-none-here"], what: "no such object" },
  { task: "sysv-msg-server", args: ["--key", "nope"], what: "a key that is not a number" },
  { task: "sysv-msg-client", args: ["--key", "0x7e11e5e6"], what: "no queue with that key" },
  { task: "posix-mq-receive", args: ["--name", "noslash"], what: "a name without the slash" },
  { task: "posix-mq-send", args: ["--name", "/ipc-lab-none-here"], what: "no such queue" },
  {
    task: "echo-server",
    args: ["--path", "/nonexistent/dir/echo.sock"],
    what: "a socket in a missing directory",
  },
  { task: "echo-client", args: ["--path", "/nonexistent/echo.sock"], what: "no server there" },
  {
    task: "echo-server-deno",
    args: ["--path", "/nonexistent/dir/echo.sock"],
    what: "a socket in a missing directory",
  },
  {
    task: "fd-pass-sender",
    args: ["--path", "/nonexistent/dir/fd.sock"],
    what: "a socket in a missing directory",
  },
  { task: "fd-pass-receiver", args: ["--path", "/nonexistent/fd.sock"], what: "no sender there" },
  { task: "sem-ping", args: ["--rounds", "0"], what: "zero rounds" },
  { task: "sem-pong", args: ["--key", "0x7e11e5e7"], what: "no sem-ping with that key" },
  // The harnesses keep their own exit codes for a bad command line.
  { task: "tour", args: ["--only", "no-such-topic"], what: "a topic that does not exist" },
  { task: "bench", args: ["--bogus"], what: "an unknown option" },
  { task: "compare", args: ["--bogus"], what: "an unknown option" },
  { task: "test:stress", args: ["0"], what: "zero runs" },
];

/** What a bad input produced. */
export interface Outcome {
  code: number;
  /** The first line the program wrote on stderr. */
  message: string;
}

/**
 * Run one case the way `deno task` would, with empty stdin.
 *
 * @example
 * ```ts
 * import { BAD_INPUTS, runBadInput } from "./bad_inputs.ts";
 * console.log(await runBadInput(BAD_INPUTS[0]));
 * ```
 */
export async function runBadInput(c: BadInput): Promise<Outcome> {
  const argv = taskArgv(c.task);
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...argv, ...c.args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const message = new TextDecoder().decode(out.stderr).split("\n").find((l) => l.trim()) ?? "";
  return { code: out.code, message };
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|");
}

/**
 * The Markdown table for all cases (running them, unless their `outcomes`
 * are given in `BAD_INPUTS` order).
 *
 * @example
 * ```ts
 * import { badInputTable } from "./bad_inputs.ts";
 * console.log(await badInputTable());
 * ```
 */
export async function badInputTable(
  outcomes: Outcome[] | Promise<Outcome[]> = Promise.all(BAD_INPUTS.map(runBadInput)),
): Promise<string> {
  outcomes = await outcomes;
  const rows = BAD_INPUTS.map((c, i) =>
    `| \`${c.task}\` | ${cell(c.what)}: \`${cell([c.task, ...c.args].join(" "))}\` | ${
      cell(outcomes[i].message)
    } | ${outcomes[i].code} |`
  );
  return [
    "| program | bad input | what it says (stderr) | exit |",
    "| --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

if (import.meta.main) {
  await runMain("bad-inputs", async () => {
    if (Deno.args.length > 0) {
      throw new UsageError(`bad-inputs: unexpected argument ${Deno.args[0]}`);
    }
    console.log(await badInputTable());
    return 0;
  }, { usage: USAGE });
}
