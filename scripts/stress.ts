/**
 * The flake hunt: run the whole suite N times (default 10) with
 * `--parallel`, each run a fresh `deno test` process, and print
 * `N runs, N failures`. Failing runs' summaries are printed as they happen,
 * with the path of a file that keeps the run's whole output.
 *
 * Run: `deno task test:stress 50` (`--help`: the usage; a bad N exits 2)
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { runMain, UsageError } from "../lib/args.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const USAGE = "usage: deno task test:stress [N]   (N >= 1 runs, default 10)";

async function main(args: string[]): Promise<number> {
  if (args.length > 1) throw new UsageError(`test:stress: unexpected argument ${args[1]}`, 2);
  const runs = Number(args[0] ?? "10");
  if (!Number.isInteger(runs) || runs < 1) {
    throw new UsageError(`test:stress: N must be a whole number >= 1, not ${args[0]}`, 2);
  }

  let failures = 0;
  for (let i = 1; i <= runs; i++) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["test", "--parallel", "--allow-all", "tests/"],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    const summary = text.match(/^(ok|FAILED) \| .*$/m)?.[0] ?? "(no summary)";
    if (out.code !== 0) {
      failures++;
      const failed = [...text.matchAll(/^(.*) \.\.\. FAILED/gm)].map((m) => m[1]);
      const log = await Deno.makeTempFile({ prefix: `ipc-lab-stress-run${i}-`, suffix: ".log" });
      await Deno.writeTextFile(log, text);
      console.log(`run ${i}: ${summary}\n  ${failed.join("\n  ")}\n  full output: ${log}`);
    } else {
      console.log(`run ${i}: ${summary}`);
    }
  }
  console.log(`${runs} runs, ${failures} failures`);
  return failures === 0 ? 0 : 1;
}

if (import.meta.main) {
  await runMain("test:stress", () => main([...Deno.args]), { usage: USAGE });
}
