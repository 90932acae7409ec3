/**
 * `deno task tour`: every example of the catalogue, in course order, as its
 * real processes, narrated, each promise checked (✔/✘). Exits non-zero when
 * any check failed. Options: `--only TOPIC`, `--list`, `--trace` (IPC_TRACE
 * for every process), `--pictures DIR` (one SVG per scene, drawn from the
 * scene's machine trace by scripts/trace/, and its Mermaid text beside it);
 * `--help` prints the usage; a bad option exits 2.
 * Respects NO_COLOR. Runs in a temp directory that it removes, and leaves
 * no IPC object behind.
 *
 * @module
 */
import { runMain, takeFlag, takeOption, UsageError } from "../lib/args.ts";
import { inInvocationDirectory } from "../lib/cwd.ts";
import { say, type Scene, Stage } from "./stage.ts";
import { pipeScenes } from "./scenes/pipes.ts";
import { mmapScenes } from "./scenes/mmap.ts";
import { fifoScenes, pipeSemanticsScene } from "./scenes/fifo.ts";
import { sysvShmScenes } from "./scenes/sysv_shm.ts";
import { msgQueueScenes, semaphoreScenes, socketScenes } from "./scenes/beyond.ts";
import { buildPicture, parseTrace, type ProcessEnd } from "../scripts/trace/model.ts";
import type { Picture } from "../scripts/trace/picture.ts";
import { toSvg } from "../scripts/trace/svg.ts";
import { toMermaid } from "../scripts/trace/mermaid.ts";

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

const USAGE = "usage: tour [--list] [--only TOPIC] [--trace] [--pictures DIR]";

/** A bad command line: the tour's exit code for it is 2. */
function usageError(message: string): never {
  throw new UsageError(message, 2);
}

/** How a scene went: its failed promises, and its picture when it was traced for one. */
export interface Played {
  failures: string[];
  picture?: Picture;
}

/**
 * Play one scene in a fresh temp directory (removed after; a file left in it
 * is a failed promise). `trace`: `"text"` for IPC_TRACE=1, `"picture"` to
 * draw the scene from its machine trace (kept in a temp file of its own).
 */
export async function playScene(
  scene: Scene,
  trace?: "text" | "picture",
): Promise<Played> {
  const dir = await Deno.makeTempDir({ prefix: "ipc-lab-tour-" });
  const traceFile = trace === "picture"
    ? await Deno.makeTempFile({ prefix: "ipc-lab-trace-", suffix: ".jsonl" })
    : undefined;
  const stage = new Stage(dir, trace === "text" ? "1" : traceFile);
  say(`\n━━ ${scene.title}`, "font-weight: bold");
  say(scene.story, "color: #9e9e9e");
  let ends: ProcessEnd[] = [];
  try {
    await scene.play(stage);
  } catch (e) {
    stage.expect(false, "the scene ran to its end", e instanceof Error ? e.message : String(e));
  } finally {
    await stage.stopAll();
    ends = await stage.ends();
    const left = [...Deno.readDirSync(dir)].map((e) => e.name);
    stage.expect(left.length === 0, "left no file behind", left.join(", "));
    await Deno.remove(dir, { recursive: true });
  }
  if (traceFile === undefined) return { failures: stage.failures };
  const records = parseTrace(await Deno.readTextFile(traceFile));
  await Deno.remove(traceFile);
  return { failures: stage.failures, picture: buildPicture(scene.title, records, ends) };
}

/** A scene's file name: its number in course order and the programs of its title. */
export function sceneFileName(scene: Scene): string {
  const n = String(SCENES.indexOf(scene) + 1).padStart(2, "0");
  const slug = scene.title.split(":")[0].toLowerCase().replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  return `${n}-${slug}`;
}

async function main(args: string[]): Promise<number> {
  let list: boolean, trace: boolean, only: string | undefined, pictures: string | undefined;
  try {
    list = takeFlag(args, "list");
    trace = takeFlag(args, "trace");
    only = takeOption(args, "only");
    pictures = takeOption(args, "pictures");
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

  if (trace && pictures !== undefined) usageError("tour: --trace and --pictures: one or the other");
  if (pictures !== undefined) {
    pictures = inInvocationDirectory(pictures);
    await Deno.mkdir(pictures, { recursive: true });
  }

  const chosen = SCENES.filter((s) => only === undefined || s.topic === only);
  const failed: string[] = [];
  for (const scene of chosen) {
    const played = await playScene(scene, trace ? "text" : pictures ? "picture" : undefined);
    if (played.failures.length) failed.push(`${scene.title}: ${played.failures.join("; ")}`);
    if (pictures !== undefined && played.picture) {
      const base = `${pictures}/${sceneFileName(scene)}`;
      await Deno.writeTextFile(`${base}.svg`, toSvg(played.picture));
      await Deno.writeTextFile(`${base}.mmd`, toMermaid(played.picture));
      say(`  picture: ${base}.svg`, "color: #9e9e9e");
    }
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
