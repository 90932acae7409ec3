/**
 * Tiny command-line helpers shared by the examples: options with the C
 * original's value as default, and a usage error that exits non-zero.
 *
 * @module
 */

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
   * A usage error with its exit code.
   *
   * @param message what was wrong
   * @param exitCode the exit code, default 1
   */
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = "UsageError";
    this.exitCode = exitCode;
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

/**
 * Run an example's `main`, turning a {@link UsageError} into its message on
 * stderr plus exit code, and any other error into `<program>: <message>`
 * with exit code 1 (like the originals' `perror` + `exit(EXIT_FAILURE)`).
 *
 * @example
 * ```ts
 * import { runMain } from "./args.ts";
 * await runMain("cpipe", async () => 0);
 * ```
 */
export async function runMain(
  program: string,
  main: () => Promise<number> | number,
): Promise<never> {
  let code: number;
  try {
    code = await main();
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(e.message);
      code = e.exitCode;
    } else {
      console.error(`${program}: ${e instanceof Error ? e.message : String(e)}`);
      code = 1;
    }
  }
  Deno.exit(code);
}
