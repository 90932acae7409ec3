/**
 * System V IPC keys: how every program reads one from its command line,
 * checks it, and prints it. FFI-free: import it without `--allow-ffi`.
 *
 * One rule everywhere a key is accepted (`--key KEY`, `ipcrm -M KEY`):
 * decimal, `0x` hex or `0` octal, like C's `strtol(s, NULL, 0)`; it must
 * fit in 32 bits (a negative value is taken as its unsigned twin, as C's
 * `key_t` cast does), and it must not be 0, `IPC_PRIVATE`, which asks for
 * a new object nobody else can find by key.
 *
 * @module
 */
import { parseInteger, takeOption, UsageError } from "./args.ts";

/** `IPC_PRIVATE`: the key 0, "a new object, found by id only". */
export const IPC_PRIVATE = 0;

/**
 * A key as `ipcs` prints it: `0x%08x` of the unsigned 32-bit value.
 *
 * @example
 * ```ts
 * import { formatKey } from "./keys.ts";
 * formatKey(0x12345678); // "0x12345678"
 * formatKey(0x3d69f15);  // "0x03d69f15"
 * formatKey(-1);         // "0xffffffff"
 * ```
 */
export function formatKey(key: number): string {
  return `0x${(key >>> 0).toString(16).padStart(8, "0")}`;
}

/**
 * A key as the argument of a trace line: `IPC_PRIVATE` or `0x12345678`.
 *
 * @example
 * ```ts
 * import { keyText } from "./keys.ts";
 * keyText(0); // "IPC_PRIVATE"
 * ```
 */
export function keyText(key: number): string {
  return key === IPC_PRIVATE ? "IPC_PRIVATE" : formatKey(key);
}

/**
 * Read a key from `text` by the module's rule; a bad one is a
 * {@link UsageError} that names `what` (and ends with `usage`, if given).
 * Returns the key as a signed 32-bit number, the way `key_t` holds it.
 *
 * @example
 * ```ts
 * import { parseKey } from "./keys.ts";
 * parseKey("0x12345678", "--key"); // 305419896
 * parseKey("0xffffffff", "--key"); // -1
 * try { parseKey("0", "--key"); } catch (e) { console.log(String(e)); } // IPC_PRIVATE
 * ```
 */
export function parseKey(text: string, what: string, usage?: string): number {
  const tail = usage === undefined ? "" : `\n${usage}`;
  let key: number;
  try {
    key = parseInteger(text, what);
  } catch (e) {
    throw new UsageError(`${(e as Error).message}${tail}`);
  }
  if (key < -0x80000000 || key > 0xffffffff) {
    throw new UsageError(`${what}: does not fit in 32 bits: ${text}${tail}`);
  }
  if (key === IPC_PRIVATE) {
    throw new UsageError(
      `${what}: 0 is IPC_PRIVATE (a new object nobody else can find by key): give a real key${tail}`,
    );
  }
  return key | 0;
}

/**
 * Take `--key KEY` out of `args` ({@link parseKey}); `defaultKey` when the
 * option is absent.
 *
 * @example
 * ```ts
 * import { takeKey } from "./keys.ts";
 * const args = ["--key", "0x5eed"];
 * takeKey(args, 0x12345678, "usage: demo [--key KEY]"); // 0x5eed; args is now []
 * ```
 */
export function takeKey(args: string[], defaultKey: number, usage?: string): number {
  const text = takeOption(args, "key");
  return text === undefined ? defaultKey : parseKey(text, "--key", usage);
}
