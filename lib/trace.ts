/**
 * Trace mode: with `IPC_TRACE=1` every checked libc call made through `lib/`
 * prints one strace-style line to stderr, tagged with the process role and
 * pid, e.g. `[child 4242] read(3, <4 bytes>) = 4`, and failures with their
 * errno name: `[writer 4250] open("testfifo", O_WRONLY|O_NONBLOCK) = -1 ENXIO`.
 *
 * The machine format, beside the human one: with `IPC_TRACE=/abs/path.jsonl`
 * (a value starting with `/`) the same calls are appended to that file, one
 * JSON object per line, nothing on stderr (lib/trace_machine.ts; every
 * process of a run may share the file: each line is one `O_APPEND` write).
 * Each line carries `clock_gettime(CLOCK_MONOTONIC)` before and after the
 * call, a clock every process of the machine shares, so `deno task trace`
 * can put the calls of several processes in the order the kernel saw them.
 *
 * Off by default. When off, each wrapper pays one branch on a constant.
 *
 * @module
 */
import { libc } from "./ffi/libc_ffi.ts";
import { MachineTrace } from "./trace_machine.ts";

function readTraceSetting(): string | undefined {
  // Only look when we are allowed to: a program run without
  // --allow-env=IPC_TRACE simply does not trace.
  const status = Deno.permissions.querySync({
    name: "env",
    variable: "IPC_TRACE",
  });
  if (status.state !== "granted") return undefined;
  const value = Deno.env.get("IPC_TRACE");
  return value === undefined || value === "" || value === "0" ? undefined : value;
}

const SETTING = readTraceSetting();

/** True when `IPC_TRACE` is set (and readable) for this process. */
export const TRACING: boolean = SETTING !== undefined;

/** The machine trace, when `IPC_TRACE` names a file. */
const machine: MachineTrace | undefined = SETTING?.startsWith("/")
  ? new MachineTrace(SETTING, () => role, () => disposing > 0)
  : undefined;

let role = "main";
let disposing = 0;
const encoder = new TextEncoder();

/**
 * Name this process in trace lines (`parent`, `child`, `writer`...).
 *
 * @example
 * ```ts
 * import { setTraceRole } from "./trace.ts";
 * setTraceRole("reader");
 * ```
 */
export function setTraceRole(name: string): void {
  role = name;
}

/**
 * The role set with {@link setTraceRole}.
 *
 * @example
 * ```ts
 * import { traceRole } from "./trace.ts";
 * console.log(traceRole()); // "main"
 * ```
 */
export function traceRole(): string {
  return role;
}

/**
 * Run `release` as a `using` disposer: the calls it makes are marked in the
 * machine trace (`"dispose": true`). Disposing is lib/'s safety net: on a
 * program's normal path its example has already made these calls by name,
 * as the C does, so a line marked so on that path is a call the program
 * left out.
 *
 * @example
 * ```ts
 * import { asDisposer } from "./trace.ts";
 * class Handle implements Disposable {
 *   close(): void {}
 *   [Symbol.dispose](): void {
 *     asDisposer(() => this.close());
 *   }
 * }
 * using handle = new Handle();
 * ```
 */
export function asDisposer(release: () => void): void {
  disposing++;
  try {
    release();
  } finally {
    disposing--;
  }
}

/**
 * Print one trace line (`call = result`) if tracing is on. Written with
 * libc `write(2, ...)` so that the line is never reordered with the
 * program's own libc I/O.
 *
 * @example
 * ```ts
 * import { TRACING, traceLine } from "./trace.ts";
 * if (TRACING) traceLine("close(3)", "0");
 * ```
 */
export function traceLine(call: string, result: string): void {
  if (!TRACING) return;
  if (machine) {
    machine.record(call, result);
    return;
  }
  const line = encoder.encode(
    `[${role} ${libc.getpid()}] ${call} = ${result}\n`,
  );
  libc.write(2, line, BigInt(line.length));
}

/**
 * Format a JS string as C source would show it, for trace lines.
 *
 * @example
 * ```ts
 * import { quoted } from "./trace.ts";
 * quoted("testfifo"); // "\"testfifo\""
 * ```
 */
export function quoted(s: string): string {
  return JSON.stringify(s);
}
