/** What the tour asks the system, the way a user could: through the suite's own
 * tools and plain commands (the tour runs without --allow-ffi). @module */
import { ROOT, taskArgv } from "./stage.ts";
import { formatKey } from "../lib/keys.ts";

/** A random SysV key (odd, non-zero) as `ipcs` prints it (`0x%08x`). */
export function randomKey(): string {
  const v = new Uint32Array(1);
  crypto.getRandomValues(v);
  return formatKey((v[0] & 0x7ffffffe) | 1);
}

/** A POSIX name no other run (a test, another tour) uses. */
export function randomName(what: string): string {
  return `/ipc-lab-tour-${what}-${crypto.randomUUID().slice(0, 8)}`;
}

/** A key given as text (`0x...`, decimal) as `ipcs` prints it. */
export function ipcsKey(key: string): string {
  return formatKey(Number(key));
}

/** The kinds of SysV object that have `key`, asked through the suite's own `ipcs --json`. */
export async function sysvWithKey(key: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...taskArgv("ipcs"), "-a", "--json"],
    cwd: ROOT,
    stdout: "piped",
  }).output();
  const listing = JSON.parse(new TextDecoder().decode(out.stdout)) as Record<
    string,
    Array<{ key: number }>
  >;
  return Object.entries(listing)
    .filter(([, entries]) => entries.some((e) => e.key >>> 0 === Number(key)))
    .map(([kind]) => kind);
}

/**
 * Whether /dev/shm holds `file`, asked through `ls`: Deno refuses any access to /dev/shm
 * without --allow-all (NotCapable), which the tour does not have.
 */
export async function inDevShm(file: string): Promise<boolean> {
  const out = await new Deno.Command("ls", { args: ["/dev/shm"], stdout: "piped" }).output();
  return new TextDecoder().decode(out.stdout).split("\n").includes(file);
}
