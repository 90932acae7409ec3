/**
 * A test that cannot run on this machine is IGNORED, never passed: it is
 * declared `Deno.test({ name, ignore: ignoreIf(name, reason) }, ...)` with a
 * narrow reason (the one tool or privilege it lacks), the reason is printed
 * once on stderr when the module loads (`ignored: <test>: <reason>`), `deno
 * test` counts it in its summary (`K ignored`), and CI (.ci/run) fails when K
 * is not 0. No test returns early, and no test reads a failure's text as "the
 * machine cannot do this".
 *
 * @module
 */

/** What to install for each tool a test may need (Debian/Ubuntu names). */
const PACKAGES: Record<string, string> = {
  cc: "apt-get install gcc",
  ipcs: "apt-get install util-linux",
  setpriv: "apt-get install util-linux",
};

/** The full path of `tool` in PATH, or null. */
export function inPath(tool: string): string | null {
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")) {
    const path = `${dir || "."}/${tool}`;
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/** `"no cc (apt-get install gcc)"` when `tool` is not in PATH, else null. */
export function missingTool(tool: string): string | null {
  if (inPath(tool) !== null) return null;
  return `no ${tool} in PATH${PACKAGES[tool] ? ` (${PACKAGES[tool]})` : ""}`;
}

/** `"not root (<why>)"` when this process is not uid 0, else null. */
export function notRoot(why: string): string | null {
  return Deno.uid() === 0 ? null : `not root (${why})`;
}

/**
 * Whether to ignore test `name`: true when any of `reasons` is a string, and
 * then `ignored: <name>: <reasons>` is printed on stderr (once: call it at
 * module load, as the `ignore` of the test's definition).
 */
export function ignoreIf(name: string, ...reasons: (string | null)[]): boolean {
  const why = reasons.filter((r): r is string => r !== null);
  if (why.length === 0) return false;
  console.error(`ignored: ${name}: ${why.join("; ")}`);
  return true;
}

/**
 * `"under qemu-user emulation: <what qemu cannot emulate>"` when the suite
 * runs under emulation (`deno task test:aarch64` sets
 * `IPC_LAB_EMULATOR=qemu-user`), else null. Only for what the emulator gets
 * wrong, never for slowness (that is IPC_LAB_TIME_SCALE's job); on real
 * hardware of the same architecture the test runs.
 */
export function underEmulation(what: string): string | null {
  return Deno.env.get("IPC_LAB_EMULATOR") === "qemu-user"
    ? `under qemu-user emulation: ${what}`
    : null;
}

/**
 * What qemu-user gets wrong about `posix_spawn`: it runs its `CLONE_VFORK`
 * as a plain fork, so a failed exec in the child is not reported back;
 * `posix_spawnp` returns 0 and the child exits 127.
 */
export const QEMU_SPAWN_ERRORS: string =
  "qemu runs posix_spawn's CLONE_VFORK as a plain fork, so the child's failed exec " +
  "is not reported back: posix_spawnp returns 0 and the child exits 127";
