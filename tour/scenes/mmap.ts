/** Tour scenes for examples/mmap and examples/posix-shm. @module */
import type { Scene } from "../stage.ts";
import { inDevShm, randomName } from "../probes.ts";

const PROMPT = "'*' print Current mmap otherwise input text to mmap. >>";
/** PROMPT as a regular expression. */
const PROMPT_RE = PROMPT.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** What a process shows after `*`: the mapping's text, then its prompt again. */
const SHOWN_THEN_PROMPT = new RegExp(`Current mmap -> '[^]*'\n${PROMPT_RE}`);

function mmapScene(mode: "s" | "p"): Scene {
  const shared = mode === "s";
  return {
    topic: "mmap",
    title: `mmap-ex2 ${mode} + mmap-ex2 ${mode}: ${shared ? "MAP_SHARED" : "MAP_PRIVATE"}`,
    story: shared
      ? "Two processes map the first 64 bytes of shared_mmap with MAP_SHARED. A line typed " +
        "into A lands in the file's pages: B's '*' shows it, and so does the file."
      : "Now MAP_PRIVATE: A's write makes A a private copy of the page (copy-on-write). " +
        "A sees its line; B and the file never do.",
    async play(stage) {
      const a = stage.start("A", "mmap-ex2", [mode]);
      await a.waitFor(PROMPT);
      const b = stage.start("B", "mmap-ex2", [mode]);
      await b.waitFor(PROMPT);
      const line = shared ? "New memory map data" : "private words";
      await a.type(line);
      await a.waitFor(new RegExp(`${PROMPT_RE}[^]*${PROMPT_RE}`));
      await a.type("*");
      await a.waitFor(`Current mmap -> '${line}\n`);
      await a.waitFor(SHOWN_THEN_PROMPT);
      await b.type("*");
      // Ctrl+D only once the prompt is back, so it is shown after the prompt.
      await b.waitFor(SHOWN_THEN_PROMPT);
      await a.endInput();
      await b.endInput();
      const [ra, rb] = [await a.finish(), await b.finish()];
      const file = await Deno.readFile(`${stage.dir}/shared_mmap`);
      const fileText = new TextDecoder().decode(file);
      await Deno.remove(`${stage.dir}/shared_mmap`);
      stage.expect(a.stdout.includes(`Current mmap -> '${line}\n`), "A's '*' shows A's line");
      stage.expect(
        b.stdout.includes(`Current mmap -> '${line}\n`) === shared,
        shared ? "B's '*' shows A's line" : "B's '*' does not show A's line",
      );
      stage.expect(
        fileText.startsWith(`${line}\n`) === shared,
        shared ? "the file has A's line" : "the file still has the original text",
      );
      stage.expect(ra.code === 0 && rb.code === 0, "both ended cleanly at EOF (exit 0)");
    },
  };
}

export const mmapScenes: Scene[] = [
  mmapScene("s"),
  mmapScene("p"),
  {
    topic: "posix-shm",
    title: "posix-shm-writer / posix-shm-reader: POSIX shared memory by name",
    story: "The writer shm_open()s a name, sizes it with ftruncate, maps it and copies " +
      "'This is a test' into it; the reader opens the same name and prints it.",
    async play(stage) {
      const name = randomName("shm");
      const writer = stage.start("writer", "posix-shm-writer", ["--name", name]);
      await writer.waitFor("press ENTER to key to continue...");
      const reader = stage.start("reader", "posix-shm-reader", ["--name", name]);
      await reader.waitFor("Press ENTER to continue...");
      await reader.type("");
      const rr = await reader.finish();
      await writer.type("");
      const rw = await writer.finish();
      stage.expect(reader.stdout.includes("This is a test\n"), "the reader printed This is a test");
      stage.expect(rr.code === 0 && rw.code === 0, "both exited 0");
      const left = await inDevShm(name.slice(1));
      stage.expect(!left, `/dev/shm${name} was unlinked`);
    },
  },
];
