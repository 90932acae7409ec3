/**
 * Hands out libc's raw symbols, each bound on first use: `libc.read` opens
 * `read` (one `Deno.dlopen` of libc.so.6 with that one symbol) the first
 * time a program touches it, then stays a plain property, so later calls
 * take Deno's fast path as before. A program pays only for the calls it
 * makes: binding all ~110 symbols at load cost about 20 ms of CPU per
 * process (measured: 30 starts of a program that binds all of them, 1.40 s;
 * of one that binds three, 0.81 s), and the suite starts hundreds of
 * processes. It also means importing lib/ needs no `--allow-ffi` until the
 * first libc call. One copy per thread (each Worker and each `deno test
 * --parallel` module has its own). Nothing here checks errors; use the
 * typed modules in `lib/`.
 *
 * @module
 */
import { LIBC_SYMBOLS } from "./symbols.ts";

type Symbols = Deno.DynamicLibrary<typeof LIBC_SYMBOLS>["symbols"];
type Name = keyof typeof LIBC_SYMBOLS;

/** Every library handle opened, kept so that no symbol is ever unloaded. */
const opened: Deno.DynamicLibrary<Deno.ForeignLibraryInterface>[] = [];

/** The machine trace's clock, once it asked for call times (see {@link timeCalls}). */
let clock: (() => number) | undefined;
/** When each symbol's last call began and ended, by symbol name. */
const lastCall = new Map<string, [number, number]>();

/** `symbol`, or under {@link timeCalls} a function that also notes when each call ran. */
function timed(name: string, symbol: unknown): unknown {
  if (clock === undefined || typeof symbol !== "function") return symbol;
  const now = clock;
  return (...args: unknown[]) => {
    const t0 = now();
    const r = symbol(...args);
    if (r instanceof Promise) {
      return r.then((v) => {
        lastCall.set(name, [t0, now()]);
        return v;
      });
    }
    lastCall.set(name, [t0, now()]);
    return r;
  };
}

function bind(target: Record<string, unknown>, name: Name): unknown {
  const library = Deno.dlopen("libc.so.6", { [name]: LIBC_SYMBOLS[name] });
  opened.push(library);
  const symbol = timed(name, library.symbols[name]);
  Object.defineProperty(target, name, { value: symbol, enumerable: true });
  return symbol;
}

/**
 * From now on note when each libc call begins and ends, by `now()` (for the
 * machine trace of lib/trace.ts, and only then: a timed symbol leaves Deno's
 * fast path). Applies to symbols bound after this call.
 *
 * @example
 * ```ts
 * import { libc, takeCallTime, timeCalls } from "./libc_ffi.ts";
 * timeCalls(() => performance.now());
 * libc.getpid();
 * console.log(takeCallTime("getpid")); // [began, ended]
 * ```
 */
export function timeCalls(now: () => number): void {
  clock = now;
}

/**
 * When the last call of symbol `name` began and ended (then forgotten), if it was timed.
 *
 * @example
 * ```ts
 * import { takeCallTime } from "./libc_ffi.ts";
 * const t = takeCallTime("read"); // undefined unless timeCalls() was called
 * ```
 */
export function takeCallTime(name: string): [number, number] | undefined {
  const t = lastCall.get(name);
  lastCall.delete(name);
  return t;
}

/** The raw symbols of libc.so.6: no error checking, no tracing. */
export const libc: Symbols = (() => {
  const target: Record<string, unknown> = {};
  for (const name of Object.keys(LIBC_SYMBOLS) as Name[]) {
    Object.defineProperty(target, name, {
      configurable: true,
      enumerable: true,
      get: () => bind(target, name),
    });
  }
  return target as Symbols;
})();

/**
 * Bind every symbol now, in one `Deno.dlopen`: for test files, whose
 * resource sanitizer would otherwise see a library opened during a test
 * (tests/_helpers/bind_libc.ts calls it when a test file is loaded).
 */
export function bindAll(): void {
  const library = Deno.dlopen("libc.so.6", LIBC_SYMBOLS);
  opened.push(library);
  const target = libc as unknown as Record<string, unknown>;
  for (const name of Object.keys(LIBC_SYMBOLS) as Name[]) {
    const descriptor = Object.getOwnPropertyDescriptor(target, name);
    if (descriptor?.get === undefined) continue; // bound already
    Object.defineProperty(target, name, {
      value: timed(name, library.symbols[name]),
      enumerable: true,
    });
  }
}
