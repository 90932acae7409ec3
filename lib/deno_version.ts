/**
 * The Deno versions ipc-lab supports: 2.5 and newer (CI runs the suite on
 * the pinned 2.9.6 and on 2.5.7). An older Deno stops with one sentence
 * that names the minimum, before anything else: every program checks
 * through `runMain` (lib/args.ts), and `deno task test` and
 * `deno task check` run this file first. FFI-free, no imports, so any Deno
 * 2 runs it.
 *
 * Run: `deno task test` and `deno task check` run it before their work.
 *
 * @module
 */

/** The oldest Deno ipc-lab supports, as `[major, minor]`. */
export const MIN_DENO: readonly [number, number] = [2, 5];

/**
 * The sentence to print when `version` (default: this Deno's) is older
 * than {@link MIN_DENO}; `null` when it is supported.
 *
 * @example
 * ```ts
 * import { denoTooOld } from "./deno_version.ts";
 * denoTooOld("2.4.4"); // "ipc-lab needs Deno 2.5 or newer; this is Deno 2.4.4 ..."
 * denoTooOld("2.9.6"); // null
 * ```
 */
export function denoTooOld(version: string = Deno.version.deno): string | null {
  const [major, minor] = version.split(".").map(Number);
  const [minMajor, minMinor] = MIN_DENO;
  if (major > minMajor || (major === minMajor && minor >= minMinor)) return null;
  return `ipc-lab needs Deno ${minMajor}.${minMinor} or newer; this is Deno ${version} ` +
    "(upgrade with `deno upgrade`, or run without installing: `npx -y deno@2.9.6 task tour`).";
}

/**
 * Exit with status 1 after printing {@link denoTooOld}'s sentence on stderr
 * when this Deno is older than {@link MIN_DENO}; return otherwise.
 *
 * @example
 * ```ts
 * import { requireSupportedDeno } from "./deno_version.ts";
 * requireSupportedDeno(); // on Deno 2.4: prints the sentence, exits 1
 * ```
 */
export function requireSupportedDeno(): void {
  const tooOld = denoTooOld();
  if (tooOld === null) return;
  console.error(tooOld);
  Deno.exit(1);
}

if (import.meta.main) requireSupportedDeno();
