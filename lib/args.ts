/**
 * Tiny command-line helpers shared by the examples: options with the C
 * original's value as default, and a usage error that exits non-zero.
 *
 * The project's one command-line convention, kept by {@link runMain} (every
 * program and script starts through it with its usage):
 * - `-h` or `--help` prints the usage on stdout and exits 0, before the
 *   program does anything;
 * - a bad argument ({@link UsageError}) prints what is wrong and the usage
 *   on stderr and exits non-zero (1, or the original's code where it has
 *   one); where the C original has its own message for bad arguments
 *   (`wrong number of arguments!..`), the port prints exactly that, as the
 *   C does;
 * - a program that waits for typed input says so on stderr when stdin is a
 *   terminal ({@link terminalHint}), and stays silent when its input comes
 *   from a pipe or a file.
 *
 * @module
 */
import { requireSupportedDeno } from "./deno_version.ts";

/**
 * Thrown for bad command-line input; {@link runMain} prints its message on
 * stderr and exits with its code.
 *
 * @example
 * ```ts
 * import { UsageError } from "./args.ts";
 * if (Deno.args.length !== 2) throw new UsageError("wrong number of arguments!..");
 * ```
 */
export class UsageError extends Error {
  /** The exit code to use (the original's, where it has one). */
  readonly exitCode: number;
  /**
   * Whether {@link runMain} prints the program's usage after the message
   * (unless the message already holds it). False for a C original's own
   * message, which the port prints alone, exactly as the C does, and for
   * bad typed input, which is no argument.
   */
  readonly withUsage: boolean;
  /**
   * A usage error with its exit code.
   *
   * @param message what was wrong
   * @param exitCode the exit code, default 1
   * @param options `withUsage: false`: print the message alone (default true)
   */
  constructor(message: string, exitCode = 1, options: { withUsage?: boolean } = {}) {
    super(message);
    this.name = "UsageError";
    this.exitCode = exitCode;
    this.withUsage = options.withUsage ?? true;
  }
}

/**
 * Take `--name value` or `--name=value` out of `args` (mutating it) and
 * return the value, or `undefined` when absent.
 *
 * @example
 * ```ts
 * import { takeOption } from "./args.ts";
 * const args = ["--key", "0x10", "x"];
 * takeOption(args, "key"); // "0x10"; args is now ["x"]
 * ```
 */
export function takeOption(args: string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === `--${name}`) {
      if (i + 1 >= args.length) throw new UsageError(`--${name} needs a value`);
      const value = args[i + 1];
      args.splice(i, 2);
      return value;
    }
    if (a.startsWith(`--${name}=`)) {
      args.splice(i, 1);
      return a.slice(name.length + 3);
    }
  }
  return undefined;
}

/**
 * Take a boolean `--name` flag out of `args`; true when present.
 *
 * @example
 * ```ts
 * import { takeFlag } from "./args.ts";
 * takeFlag(["--remove"], "remove"); // true
 * ```
 */
export function takeFlag(args: string[], name: string): boolean {
  const i = args.indexOf(`--${name}`);
  if (i === -1) return false;
  args.splice(i, 1);
  return true;
}

/**
 * Parse an integer the way C's `strtol(s, NULL, 0)` would accept it
 * (decimal, `0x` hex, leading-`0` octal), strictly: anything else is a
 * {@link UsageError} naming the option.
 *
 * @example
 * ```ts
 * import { parseInteger } from "./args.ts";
 * parseInteger("0x12345678", "--key"); // 305419896
 * ```
 */
export function parseInteger(text: string, what: string): number {
  const t = text.trim();
  let value: number;
  if (/^[-+]?0x[0-9a-f]+$/i.test(t)) {
    value = (t.startsWith("-") ? -1 : 1) * parseInt(t.replace(/^[-+]?0x/i, ""), 16);
  } else if (/^[-+]?0[0-7]+$/.test(t)) {
    value = (t.startsWith("-") ? -1 : 1) * parseInt(t.replace(/^[-+]?0/, ""), 8);
  } else if (/^[-+]?\d+$/.test(t)) {
    value = parseInt(t, 10);
  } else {
    throw new UsageError(`${what}: not a number: ${JSON.stringify(text)}`);
  }
  if (!Number.isSafeInteger(value)) {
    throw new UsageError(`${what}: out of range: ${text}`);
  }
  return value;
}

/**
 * Split a command written as one argument (`"wc -l"`, `"grep 'a b'"`) into
 * words, honouring single and double quotes and backslash escapes like a
 * POSIX shell (no expansions).
 *
 * @example
 * ```ts
 * import { splitCommand } from "./args.ts";
 * splitCommand(`grep -c 'a b'`); // ["grep", "-c", "a b"]
 * ```
 */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === "\\" && i + 1 < command.length && `"\\$\``.includes(command[i + 1])) {
        word += command[++i];
      } else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote !== null) throw new UsageError(`unterminated ${quote} in: ${command}`);
  if (inWord) words.push(word);
  return words;
}

/** What {@link runMain} needs to know of a program's command line. */
export interface MainOptions {
  /**
   * The usage: a first line that starts with `usage:` and names every
   * option the program takes (`usage: readfifo [--path FIFO]`), maybe more
   * lines. Printed on stdout for `-h`/`--help`, on stderr after a
   * {@link UsageError}'s message.
   */
  usage: string;
  /**
   * A longer text for `-h`/`--help` only (default: {@link usage}); it
   * should start with the usage line.
   */
  help?: string;
  /** The arguments to look for `-h`/`--help` in (default `Deno.args`). */
  args?: readonly string[];
}

/**
 * True when `args` ask for help: `-h` or `--help` anywhere before a `--`.
 *
 * @example
 * ```ts
 * import { wantsHelp } from "./args.ts";
 * wantsHelp(["--key", "0x10", "-h"]); // true
 * wantsHelp(["--", "--help"]); // false: after --, an operand
 * ```
 */
export function wantsHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === "--") return false;
    if (a === "-h" || a === "--help") return true;
  }
  return false;
}

/**
 * Tell a person at a terminal what the program waits for: `message` on
 * stderr when stdin is a terminal, nothing when stdin is a pipe or a file
 * (a script or a test feeding it already knows, and its output stays as
 * it was).
 *
 * @example
 * ```ts
 * import { terminalHint } from "./args.ts";
 * terminalHint("echo-client: type lines to send; Ctrl+D ends");
 * ```
 */
export function terminalHint(message: string): void {
  if (Deno.stdin.isTerminal()) console.error(message);
}

/**
 * Run a program's `main` under the project's command-line convention (see
 * the module doc):
 * - `-h`/`--help` in the arguments: print `options.help ?? options.usage`
 *   on stdout and exit 0; `main` does not run;
 * - a {@link UsageError}: its message on stderr, then the usage (unless the
 *   message holds it already or the error says `withUsage: false`), exit
 *   with its code;
 * - any other error: `<program>: <message>` on stderr, exit 1 (like the
 *   originals' `perror` + `exit(EXIT_FAILURE)`);
 * - otherwise exit with what `main` returned.
 *
 * @example
 * ```ts
 * import { runMain, takeFlag, UsageError } from "./args.ts";
 * const USAGE = "usage: demo [--loud]";
 * await runMain("demo", () => {
 *   const args = [...Deno.args];
 *   const loud = takeFlag(args, "loud");
 *   if (args.length > 0) throw new UsageError(`unexpected argument ${args[0]}`);
 *   console.log(loud ? "HELLO" : "hello");
 *   return 0;
 * }, { usage: USAGE });
 * // `demo --help`: prints USAGE on stdout, exit 0
 * // `demo x`: "unexpected argument x" and USAGE on stderr, exit 1
 * ```
 */
export async function runMain(
  program: string,
  main: () => Promise<number> | number,
  options: MainOptions,
): Promise<never> {
  requireSupportedDeno(); // an older Deno: one sentence naming the minimum, exit 1
  if (wantsHelp(options.args ?? Deno.args)) {
    console.log(options.help ?? options.usage);
    Deno.exit(0);
  }
  let code: number;
  try {
    code = await main();
  } catch (e) {
    if (e instanceof UsageError) {
      const firstUsageLine = options.usage.split("\n")[0];
      const usage = e.withUsage && !e.message.includes(firstUsageLine) ? `\n${options.usage}` : "";
      console.error(`${e.message}${usage}`);
      code = e.exitCode;
    } else {
      console.error(`${program}: ${e instanceof Error ? e.message : String(e)}`);
      code = 1;
    }
  }
  Deno.exit(code);
}
