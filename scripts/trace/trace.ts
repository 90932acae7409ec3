/**
 * `deno task trace NAME`: run an example for real and draw what happened, a
 * sequence diagram with one lifeline per process and per kernel object
 * (pipe, FIFO, segment, queue, socket), each libc call an arrow in the order
 * the kernel saw it (IPC_TRACE's machine lines carry CLOCK_MONOTONIC times),
 * a call that waited for the other side drawn as a wait, data sizes on the
 * arrows, errors in red, each process's end at the bottom.
 *
 * - `deno task trace pipe-parent-child` plays the tour's scene of that
 *   program (both processes, the tour's input) and writes
 *   `pipe-parent-child.svg` in your directory; `--svg FILE` names the file,
 *   `--mermaid` prints the Mermaid text instead (for a Markdown page).
 *   NAME is any program of a scene (`shmproc2` plays "shmproc1 / shmproc2").
 * - `deno task trace readfifo --live [-- ARGS...]` runs the program in your
 *   terminal instead (your input); it prints the trace file's path, so that
 *   the other side, started in another terminal with `IPC_TRACE=<that path>`,
 *   is drawn too.
 * - `deno task trace --update-pages` redraws every topic page's diagram
 *   marked `<!-- picture of a real run: deno task trace NAME -->` from a run
 *   of its scene (tests/tour_test.ts fails when a page and a run disagree).
 *
 * @module
 */
import { runMain, takeFlag, takeOption, UsageError } from "../../lib/args.ts";
import { inInvocationDirectory, invocationDirectory } from "../../lib/cwd.ts";
import { playScene, SCENES } from "../../tour/tour.ts";
import { narrateOnStderr, type Scene } from "../../tour/stage.ts";
import { ROOT, taskArgv, TASKS } from "../tasks.ts";
import { buildPicture, parseTrace } from "./model.ts";
import type { Picture } from "./picture.ts";
import { toSvg } from "./svg.ts";
import { mermaidFence, toMermaid } from "./mermaid.ts";
import { PAGE_MARK, pagePictures, portable } from "./pages.ts";

const USAGE =
  "usage: deno task trace NAME [--svg FILE | --mermaid] [--live [-- ARGS...]] | --update-pages\n" +
  "  NAME: a program of a tour scene (deno task tour --list), played as the tour plays it;\n" +
  "  --live: run the program in this terminal with ARGS and your input instead";

/** The tour scene that plays program `name`: its title starts with it, or names it after a `/`. */
export function sceneOf(name: string): Scene | undefined {
  const programs = (s: Scene) => s.title.split(":")[0].split(" / ").map((p) => p.split(" ")[0]);
  return SCENES.find((s) => programs(s)[0] === name) ??
    SCENES.find((s) => programs(s).includes(name));
}

/** Play the scene of `name` traced; its picture (throws if the scene broke a promise). */
export async function tracedScene(name: string): Promise<Picture> {
  const scene = sceneOf(name);
  if (!scene) throw new UsageError(`trace: no tour scene plays ${name} (deno task tour --list)`);
  const played = await playScene(scene, "picture");
  if (played.failures.length > 0) {
    throw new Error(`the scene did not do what it promises: ${played.failures.join("; ")}`);
  }
  return played.picture!;
}

/** Run task `name` in this terminal with a machine trace; its picture. */
async function tracedLive(name: string, args: string[]): Promise<Picture> {
  if (!(name in TASKS)) throw new UsageError(`trace: no task ${name}`);
  const file = await Deno.makeTempFile({ prefix: `ipc-lab-trace-${name}-`, suffix: ".jsonl" });
  console.error(`trace: tracing ${name} into ${file}`);
  console.error(`trace: to draw the other side too, run it with IPC_TRACE=${file}`);
  const child = new Deno.Command(Deno.execPath(), {
    args: [...taskArgv(name), ...args],
    cwd: ROOT,
    env: { IPC_TRACE: file, INIT_CWD: invocationDirectory() },
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const status = await child.status;
  const records = parseTrace(await Deno.readTextFile(file));
  return buildPicture(`${name} ${args.join(" ")}`.trim(), records, [
    { pid: child.pid, role: name, code: status.code, signal: status.signal },
  ]);
}

/** Redraw every marked diagram of the topic pages from a run; the pages changed. */
async function updatePages(): Promise<number> {
  let changed = 0;
  for (const page of pagePictures()) {
    let text = await Deno.readTextFile(page.path);
    for (const p of page.pictures) {
      if (p.excerpt) continue; // drawn by hand from a run; checked, not redrawn
      const fresh = portable(mermaidFence(await tracedScene(p.name))).trim();
      if (fresh !== p.fence.trim()) {
        text = text.replace(p.block, `${PAGE_MARK(p.name)}\n\n${fresh}`);
        changed++;
      }
    }
    await Deno.writeTextFile(page.path, text);
  }
  console.log(`trace: ${changed} diagram(s) redrawn`);
  return 0;
}

async function main(args: string[]): Promise<number> {
  const update = takeFlag(args, "update-pages");
  const live = takeFlag(args, "live");
  const mermaid = takeFlag(args, "mermaid");
  const svg = takeOption(args, "svg");
  const dashdash = args.indexOf("--");
  const extra = dashdash >= 0 ? args.splice(dashdash).slice(1) : [];
  if (update) {
    if (args.length > 0) throw new UsageError(`trace: unexpected argument ${args[0]}`);
    return await updatePages();
  }
  const bad = args.find((a) => a.startsWith("-"));
  if (bad) throw new UsageError(`trace: unknown option ${bad}`);
  if (args.length !== 1) throw new UsageError("trace: name one program");
  if (mermaid && svg !== undefined) throw new UsageError("trace: --svg or --mermaid, not both");
  if (extra.length > 0 && !live) throw new UsageError("trace: ARGS after -- need --live");
  const name = args[0];
  narrateOnStderr(); // stdout is for the result
  const picture = live ? await tracedLive(name, extra) : await tracedScene(name);
  if (mermaid) {
    console.log(toMermaid(picture));
    return 0;
  }
  const file = inInvocationDirectory(svg ?? `${name}.svg`);
  await Deno.writeTextFile(file, toSvg(picture));
  console.log(`trace: wrote ${file}`);
  return 0;
}

if (import.meta.main) {
  await runMain("trace", () => main([...Deno.args]), { usage: USAGE });
}
