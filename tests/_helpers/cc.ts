/**
 * Compile a C program for the architecture Deno runs as, and run it: with
 * `cc` when `cc` targets it, else with `<arch>-linux-gnu-gcc -static` under
 * `qemu-<arch>-static` (under `deno task test:aarch64` Deno is aarch64 while
 * `cc` makes x86_64 programs; on an x86_64 box the ABI test checks the
 * aarch64 table this way too).
 */
import assert from "node:assert/strict";
import { inPath } from "./ignore.ts";

const INSTALL: Record<string, string> = {
  aarch64: "apt-get update && apt-get install -y gcc-aarch64-linux-gnu qemu-user-static",
  x86_64: "apt-get update && apt-get install -y gcc-x86-64-linux-gnu qemu-user-static",
};

async function output(cmd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdin: "null" }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.ok(
    out.success,
    `${cmd} ${args.join(" ")} failed:\n${text}${new TextDecoder().decode(out.stderr)}`,
  );
  return text;
}

/** What `cc` targets: "x86_64", "aarch64", ... (null without cc). */
export async function ccArch(): Promise<string | null> {
  if (inPath("cc") === null) return null;
  return (await output("cc", ["-dumpmachine"])).trim().split("-")[0];
}

/**
 * Compile `source` (a C file) into `binary` for `arch` (default: the one
 * Deno runs as) and return what it prints. Fails naming the packages to
 * install when the cross tools are missing.
 */
export async function compileAndRun(
  source: string,
  binary: string,
  arch: string = Deno.build.arch,
): Promise<string> {
  if ((await ccArch()) === arch) {
    await output("cc", ["-o", binary, source]);
    return await output(binary, []);
  }
  const gcc = `${arch}-linux-gnu-gcc`;
  const qemu = `qemu-${arch}-static`;
  const missing = [gcc, qemu].filter((tool) => inPath(tool) === null);
  assert.equal(
    missing.length,
    0,
    `a C program for ${arch} needs ${missing.join(" and ")} (not in PATH): install ` +
      `them with \`${INSTALL[arch] ?? `the ${arch} cross compiler and qemu-user-static`}\` ` +
      "(.ci/run does this)",
  );
  await output(gcc, ["-static", "-o", binary, source]);
  return await output(qemu, [binary]);
}
