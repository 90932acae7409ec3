/**
 * The tour: runs the examples as their real processes and checks each one
 * did what it promises. (For now: the pipe examples.)
 *
 * @module
 */
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const tasks = (JSON.parse(Deno.readTextFileSync(`${ROOT}/deno.json`)) as {
  tasks: Record<string, string>;
}).tasks;

async function runTask(name: string, args: string[], cwd: string) {
  const argv = tasks[name].trim().split(/\s+/).slice(1);
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...argv, ...args],
    cwd: ROOT,
    env: { INIT_CWD: cwd },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

const dir = await Deno.makeTempDir({ prefix: "ipc-lab-tour-" });
let failures = 0;
try {
  console.log("pipes: the parent writes 0..9 into a pipe, the child reads until EOF");
  const a = await runTask("pipe-parent-child", [], dir);
  const okA = a.code === 0 && a.stdout === "0 1 2 3 4 5 6 7 8 9\n";
  console.log(`[child] ${a.stdout.trimEnd()}\n${okA ? "✔" : "✘"} pipe-parent-child`);
  if (!okA) failures++;

  await Deno.writeTextFile(`${dir}/hello.txt`, "hi\n");
  console.log("pipes: cpipe ls wc, the shell's `ls | wc` built by hand");
  const b = await runTask("cpipe", ["ls", "wc"], dir);
  const okB = b.code === 0 && /^\s+1\s+1\s+10\n$/.test(b.stdout);
  console.log(`[wc] ${b.stdout.trimEnd()}\n${okB ? "✔" : "✘"} cpipe ls wc`);
  if (!okB) failures++;
} finally {
  await Deno.remove(dir, { recursive: true });
}
Deno.exit(failures === 0 ? 0 : 1);
