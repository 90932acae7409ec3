/**
 * The whole suite on aarch64, on an x86_64 Linux machine: `deno task
 * test:aarch64` runs `deno test --no-check --parallel --allow-all tests/` with the
 * aarch64 build of the pinned Deno under qemu-user emulation.
 *
 * What it sets up (and says so), as root on Debian/Ubuntu:
 * - `qemu-user-static`, `libc6-arm64-cross`, `libgcc-s1-arm64-cross` (and
 *   `gcc-aarch64-linux-gnu` for tests/abi_test.ts) with apt-get, if missing;
 * - the aarch64 Deno from npm (`npm pack @deno/linux-arm64-glibc@VERSION`),
 *   kept in ~/.cache/ipc-lab/ for the next run;
 * - a binfmt_misc registration that runs aarch64 ELF files with
 *   `qemu-aarch64-static`, if none is registered (mounting binfmt_misc if
 *   needed), with `QEMU_LD_PREFIX=/usr/aarch64-linux-gnu` in the suite's
 *   environment so the emulated programs find their libc; the registration
 *   (and the mount) is undone at the end, also on Ctrl+C.
 *
 * The suite runs with `IPC_LAB_TIME_SCALE` (default 20: qemu is about 50x
 * slower on this code, most of it in Deno's start-up; the hang deadline of
 * scripts/task_process.ts is multiplied by it) and `IPC_LAB_EMULATOR=qemu-user`:
 * the few tests that check what qemu cannot emulate are then ignored with
 * their reason printed, and listed in the summary here. Ends with the
 * suite's summary line, the ignored tests, and the time taken.
 *
 * Every process of the run carries `IPC_LAB_RUN=<id>` in its environment;
 * whatever is still running at the end (a test that died mid-way leaves its
 * emulated children behind, and pid 1 here does not reap them) is found by
 * that mark in /proc/PID/environ, named, and killed.
 *
 * Run: `deno task test:aarch64 [TEST_FILE...]` (`--help`: the usage)
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { runMain, UsageError } from "../lib/args.ts";
import { onCleanup } from "../lib/signals.ts";
import { killMarked } from "./leftovers.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const USAGE = "usage: deno task test:aarch64 [TEST_FILE...]   (default: the whole of tests/)\n" +
  "  env IPC_LAB_TIME_SCALE=N: time limits N times the native ones (default 20)";

/** The Deno version the project pins (README, .ci/run). */
const DENO_VERSION = "2.9.6";
const PREFIX = "/usr/aarch64-linux-gnu";
const QEMU = "/usr/bin/qemu-aarch64-static";
const BINFMT = "/proc/sys/fs/binfmt_misc";
const ENTRY = "qemu-aarch64-ipc-lab";
/** The ELF header of an aarch64 executable, and which of its bits matter. */
const MAGIC =
  "\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00";
const MASK =
  "\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff";

/** Packages and a file each one provides. */
const PACKAGES: [string, string][] = [
  ["qemu-user-static", QEMU],
  ["libc6-arm64-cross", `${PREFIX}/lib/ld-linux-aarch64.so.1`],
  ["libgcc-s1-arm64-cross", `${PREFIX}/lib/libgcc_s.so.1`],
  ["gcc-aarch64-linux-gnu", "/usr/bin/aarch64-linux-gnu-gcc"],
];

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function say(text: string): void {
  console.log(`test:aarch64: ${text}`);
}

/** Run a command, inheriting stdio; throws if it fails. */
async function sh(cmd: string, args: string[], cwd?: string): Promise<void> {
  const status = await new Deno.Command(cmd, { args, cwd, stdin: "null" }).spawn().status;
  if (!status.success) throw new Error(`${cmd} ${args.join(" ")} failed (exit ${status.code})`);
}

async function installPackages(): Promise<void> {
  const missing = PACKAGES.filter(([, file]) => !exists(file)).map(([name]) => name);
  if (missing.length === 0) return;
  if (Deno.uid() !== 0) {
    throw new Error(`missing packages; run as root: apt-get install -y ${missing.join(" ")}`);
  }
  say(`installing ${missing.join(", ")} with apt-get`);
  await sh("apt-get", ["update", "-qq"]);
  await sh("apt-get", ["install", "-y", "-qq", ...missing]);
}

/** The aarch64 `deno` executable of the pinned version, fetched once from npm. */
async function aarch64Deno(): Promise<string> {
  const home = Deno.env.get("HOME") ?? "/tmp";
  const cache = Deno.env.get("XDG_CACHE_HOME") ?? `${home}/.cache`;
  const dir = `${cache}/ipc-lab/deno-${DENO_VERSION}-linux-arm64-glibc`;
  const deno = `${dir}/deno`;
  if (exists(deno)) return deno;
  say(`fetching @deno/linux-arm64-glibc@${DENO_VERSION} from npm into ${dir}`);
  const tmp = await Deno.makeTempDir({ prefix: "ipc-lab-aarch64-" });
  try {
    await sh("npm", ["pack", "--silent", `@deno/linux-arm64-glibc@${DENO_VERSION}`], tmp);
    const tgz = [...Deno.readDirSync(tmp)].find((e) => e.name.endsWith(".tgz"));
    if (!tgz) throw new Error("npm pack made no .tgz");
    await sh("tar", ["-xzf", tgz.name], tmp);
    Deno.mkdirSync(dir, { recursive: true });
    Deno.copyFileSync(`${tmp}/package/deno`, deno);
    Deno.chmodSync(deno, 0o755);
  } finally {
    Deno.removeSync(tmp, { recursive: true });
  }
  return deno;
}

/**
 * Make the kernel run aarch64 executables with qemu (binfmt_misc). Returns
 * what to undo at the end.
 */
async function registerBinfmt(): Promise<() => void> {
  const undo: (() => void)[] = [];
  if (!exists(`${BINFMT}/register`)) {
    say(`mounting binfmt_misc on ${BINFMT}`);
    await sh("mount", ["-t", "binfmt_misc", "binfmt_misc", BINFMT]);
    undo.push(() => {
      say(`unmounting ${BINFMT}`);
      new Deno.Command("umount", { args: [BINFMT] }).outputSync();
    });
  }
  const registered = [...Deno.readDirSync(BINFMT)].some((e) => {
    if (e.name === "register" || e.name === "status") return false;
    try {
      const text = Deno.readTextFileSync(`${BINFMT}/${e.name}`);
      return text.startsWith("enabled") &&
        text.includes("magic 7f454c460201010000000000000000000200b700");
    } catch {
      return false;
    }
  });
  if (registered) {
    say("aarch64 executables already run under qemu (binfmt_misc): leaving that as it is");
  } else {
    if (Deno.uid() !== 0) throw new Error("registering qemu with binfmt_misc needs root");
    say(`registering ${QEMU} for aarch64 executables (binfmt_misc entry ${ENTRY})`);
    Deno.writeTextFileSync(`${BINFMT}/register`, `:${ENTRY}:M::${MAGIC}:${MASK}:${QEMU}:F`);
    undo.unshift(() => {
      say(`removing the binfmt_misc entry ${ENTRY}`);
      Deno.writeTextFileSync(`${BINFMT}/${ENTRY}`, "-1");
    });
  }
  return () => undo.forEach((f) => f());
}

/** Kill what the run left running; say what it was. */
function killLeftovers(mark: string): void {
  killMarked(mark, say);
}

async function main(args: string[]): Promise<number> {
  for (const a of args) {
    if (a.startsWith("-")) throw new UsageError(`test:aarch64: unknown option ${a}\n${USAGE}`, 2);
  }
  if (Deno.build.os !== "linux") throw new Error("test:aarch64 runs on Linux only");
  const scale = Deno.env.get("IPC_LAB_TIME_SCALE") ?? "20";
  if (!(Number(scale) >= 1)) throw new UsageError(`IPC_LAB_TIME_SCALE=${scale}: a number >= 1`, 2);
  const started = Date.now();

  let deno: string;
  let undo = () => {};
  if (Deno.build.arch === "aarch64") {
    say("this machine is aarch64: running the suite natively, no emulation");
    deno = Deno.execPath();
  } else {
    await installPackages();
    deno = await aarch64Deno();
    undo = await registerBinfmt();
  }
  const mark = `IPC_LAB_RUN=aarch64-${Deno.pid}-${Date.now()}`;
  using _cleanup = onCleanup("undo the binfmt_misc registration", () => {
    killLeftovers(mark);
    undo();
  });
  try {
    const version = await new Deno.Command(deno, {
      args: ["--version"],
      env: { QEMU_LD_PREFIX: PREFIX },
    }).output();
    if (!version.success) throw new Error(`${deno} --version failed under qemu`);
    say(
      `${new TextDecoder().decode(version.stdout).split("\n")[0]} (aarch64), time scale ${scale}`,
    );

    const files = args.length > 0 ? args : ["tests/"];
    say(`deno test --no-check --parallel --allow-all ${files.join(" ")} (this takes a while)`);
    const child = new Deno.Command(deno, {
      // --no-check: type checking is the same on every architecture (`deno task
      // check` does it natively) and takes minutes under emulation.
      args: ["test", "--no-check", "--parallel", "--allow-all", ...files],
      cwd: ROOT,
      env: {
        QEMU_LD_PREFIX: PREFIX,
        IPC_LAB_TIME_SCALE: scale,
        IPC_LAB_EMULATOR: Deno.build.arch === "aarch64" ? "" : "qemu-user",
        NO_COLOR: "1",
        [mark.split("=")[0]]: mark.split("=")[1],
      },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let text = "";
    const pump = async (stream: ReadableStream<Uint8Array>, out: typeof Deno.stdout) => {
      const decoder = new TextDecoder();
      for await (const chunk of stream) {
        text += decoder.decode(chunk, { stream: true });
        await out.write(chunk);
      }
    };
    const [status] = await Promise.all([
      child.status,
      pump(child.stdout, Deno.stdout),
      pump(child.stderr, Deno.stderr),
    ]);

    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    const summary = text.match(/^(ok|FAILED) \| .*$/m)?.[0] ?? "(no summary line from deno test)";
    const ignored = [...new Set(text.match(/^ignored: .*$/gm) ?? [])];
    // From the FAILURES list (`NAME => ./tests/FILE.ts:LINE:COL`): a slow test's
    // `... FAILED` can land on a line of its own, after a "has been running" notice.
    const failed = [
      ...new Set(
        [...text.matchAll(/^(.+?) => (\.\/tests\/\S+):\d+:\d+$/gm)].map((m) =>
          `${m[2]} => ${m[1]}`
        ),
      ),
    ];
    console.log("\n== test:aarch64 summary");
    if (failed.length > 0) console.log(`failed:\n  ${failed.join("\n  ")}`);
    if (ignored.length > 0) {
      console.log(`ignored under emulation (what qemu cannot emulate):\n  ${ignored.join("\n  ")}`);
    }
    console.log(`aarch64 (qemu-user, Deno ${DENO_VERSION}): ${summary} in ${minutes} min`);
    return status.success ? 0 : 1;
  } finally {
    killLeftovers(mark);
    undo();
    undo = () => {};
  }
}

if (import.meta.main) {
  await runMain("test:aarch64", () => main([...Deno.args]), { usage: USAGE });
}
