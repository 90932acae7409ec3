/** Tour scenes for examples/pipes. @module */
import type { Scene } from "../stage.ts";

export const pipeScenes: Scene[] = [
  {
    topic: "pipes",
    title: "pipe-parent-child: an anonymous pipe from parent to child",
    story: "The parent makes a pipe, spawns its child (a JS runtime cannot fork), " +
      "writes the ints 0..9 and closes its end; the child reads until read() returns 0.",
    async play(stage) {
      // One process on stage: the parent. Its child inherits its stdout, so
      // both print under this one label (IPC_TRACE tags them [parent]/[child]).
      const parent = stage.start("pipe-parent-child", "pipe-parent-child");
      const r = await parent.finish();
      stage.expect(
        parent.stdout === "0 1 2 3 4 5 6 7 8 9\n",
        "the child printed 0 1 2 3 4 5 6 7 8 9",
      );
      stage.expect(r.code === 0, "both exited 0", `exit ${r.code}`);
    },
  },
  {
    topic: "pipes",
    title: "cpipe ls wc: how a shell builds `ls | wc`",
    story: "cpipe makes one pipe, starts ls with stdout dup2'd onto its write end and " +
      "wc with stdin dup2'd onto its read end, closes both ends and waits.",
    async play(stage) {
      await Deno.writeTextFile(`${stage.dir}/hello.txt`, "hi\n");
      const shell = await new Deno.Command("sh", { args: ["-c", "ls | wc"], cwd: stage.dir })
        .output();
      const want = new TextDecoder().decode(shell.stdout);
      const cpipe = stage.start("cpipe", "cpipe", ["ls", "wc"]);
      const r = await cpipe.finish();
      await Deno.remove(`${stage.dir}/hello.txt`);
      stage.expect(
        cpipe.stdout === want,
        "printed what `ls | wc` prints",
        JSON.stringify(cpipe.stdout),
      );
      stage.expect(r.code === 0, "exited 0", `exit ${r.code}`);
    },
  },
  {
    topic: "pipes",
    title: "cpipe yes 'head -1': SIGPIPE ends the writer, as in a shell",
    story: "head exits after one line; the next write by yes finds no reader, and the " +
      "kernel kills yes with SIGPIPE (cpipe reset it to its default).",
    async play(stage) {
      const cpipe = stage.start("cpipe", "cpipe", ["yes", "head -1"]);
      const r = await cpipe.finish();
      stage.expect(cpipe.stdout === "y\n", "printed one y");
      stage.expect(!cpipe.stderr.includes("Broken pipe"), "no 'Broken pipe' message");
      stage.expect(r.code === 0, "exited 0", `exit ${r.code}`);
    },
  },
];
