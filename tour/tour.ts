/**
 * `deno task tour`: every example of the catalogue, in course order, as its
 * real processes, narrated, each promise checked (✔/✘). Exits non-zero when
 * any check failed. Options: `--only TOPIC`, `--list`, `--trace` (IPC_TRACE
 * for every process); `--help` prints the usage; a bad option exits 2.
 * Respects NO_COLOR. Runs in a temp directory that it removes, and leaves
 * no IPC object behind.
 *
 * @module
 */
import { runMain, takeFlag, takeOption, UsageError } from "../lib/args.ts";
import { say, type Scene, Stage } from "./stage.ts";
import { pipeScenes } from "./scenes/pipes.ts";
import { mmapScenes } from "./scenes/mmap.ts";
import { fifoScenes, pipeSemanticsScene } from "./scenes/fifo.ts";
import { sysvShmScenes } from "./scenes/sysv_shm.ts";
import { msgQueueScenes, semaphoreScenes, socketScenes } from "./scenes/beyond.ts";

/** Every scene, in course order. */
export const SCENES: Scene[] = [
  ...pipeScenes,
  pipeSemanticsScene,
  ...fifoScenes,
  ...sysvShmScenes,
  ...mmapScenes,
  ...msgQueueScenes,
  ...socketScenes,
  ...semaphoreScenes,
];

const USAGE = "usage: tour [--list] [--only TOPIC] [--trace]";

/** A bad command line: the tour's exit code for it is 2. */
function usageError(message: string): never {
  throw new UsageError(message, 2);
}

async function main(args: string[]): Promise<number> {
  let list: boolean, trace: boolean, only: string | undefined;
  try {
    list = takeFlag(args, "list");
    trace = takeFlag(args, "trace");
    only = takeOption(args, "only");
  } catch (e) {
    if (e instanceof UsageError) usageError(e.message);
    throw e;
  }
  if (args.length > 0) usageError(`tour: unexpected argument ${JSON.stringify(args[0])}`);

  const topics = [...new Set(SCENES.map((s) => s.topic))];
  if (list) {
    for (const topic of topics) {
      console.log(topic);
      for (const s of SCENES.filter((s) => s.topic === topic)) console.log(`  ${s.title}`);
    }
    return 0;
  }
  if (only !== undefined && !topics.includes(only)) {
    usageError(`tour: no topic "${only}"; topics: ${topics.join(", ")}`);
  }

  const chosen = SCENES.filter((s) => only === undefined || s.topic === only);
  const failed: string[] = [];
  for (const scene of chosen) {
    const dir = await Deno.makeTempDir({ prefix: "ipc-lab-tour-" });
    const stage = new Stage(dir, trace);
    say(`\n━━ ${scene.title}`, "font-weight: bold");
    say(scene.story, "color: #9e9e9e");
    try {
      await scene.play(stage);
    } catch (e) {
      stage.expect(false, "the scene ran to its end", e instanceof Error ? e.message : String(e));
    } finally {
      await stage.stopAll();
      const left = [...Deno.readDirSync(dir)].map((e) => e.name);
      stage.expect(left.length === 0, "left no file behind", left.join(", "));
      await Deno.remove(dir, { recursive: true });
    }
    if (stage.failures.length) failed.push(`${scene.title}: ${stage.failures.join("; ")}`);
  }

  say(
    `\n${chosen.length - failed.length} of ${chosen.length} examples did what they promise`,
    failed.length ? "color: #ef5350; font-weight: bold" : "color: #66bb6a; font-weight: bold",
  );
  for (const f of failed) say(`  ✘ ${f}`, "color: #ef5350");
  return failed.length ? 1 : 0;
}

if (import.meta.main) {
  await runMain("tour", () => main([...Deno.args]), { usage: USAGE });
}
