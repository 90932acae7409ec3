/**
 * The topic pages' diagrams that come from real runs: each is a Mermaid
 * fence right after the line `<!-- picture of a real run: deno task trace
 * NAME -->` (`deno task trace --update-pages` redraws it), or, for a
 * diagram drawn by hand from a run, `... NAME (excerpt) -->` (checked, not
 * redrawn: every call it shows must happen in a run, in its order).
 *
 * @module
 */
import { ROOT } from "../tasks.ts";

/** The marker line before a generated diagram. */
export const PAGE_MARK = (name: string): string =>
  `<!-- picture of a real run: deno task trace ${name} -->`;

/** One marked diagram of a page. */
export interface PagePicture {
  /** The program NAME of the marker. */
  name: string;
  /** Drawn by hand from a run: its calls must be a part of the run's, in order. */
  excerpt: boolean;
  /** The whole fence, from ```mermaid to ``` inclusive. */
  fence: string;
  /** The marker line, the blank line after it, and the fence, as the page has them. */
  block: string;
}

/** Every topic page (examples/TOPIC/README.md) and its marked diagrams. */
export function pagePictures(): { path: string; pictures: PagePicture[] }[] {
  const pages: { path: string; pictures: PagePicture[] }[] = [];
  for (
    const e of [...Deno.readDirSync(`${ROOT}/examples`)].sort((a, b) => a.name < b.name ? -1 : 1)
  ) {
    const path = `${ROOT}/examples/${e.name}/README.md`;
    let text: string;
    try {
      text = Deno.readTextFileSync(path);
    } catch {
      continue;
    }
    const pictures: PagePicture[] = [];
    const re =
      /^<!-- picture of a real run: deno task trace (\S+)( \(excerpt\))? -->\n\n?(```mermaid\n[^]*?\n```)$/gm;
    for (const m of text.matchAll(re)) {
      pictures.push({ name: m[1], excerpt: m[2] !== undefined, fence: m[3], block: m[0] });
    }
    pages.push({ path, pictures });
  }
  return pages;
}

/**
 * A diagram's text as a page shows it: what a run chose at random or the
 * kernel handed out replaced by a name for it (the tour's random SysV keys
 * by `KEY`, the ids `shmget`/`semget`/`msgget` returned by `ID`, random name
 * tags by `-TAG`, a pid in a file name by `PID1`, `PID2`...), so that the page says
 * what every run does.
 */
export function portable(mermaid: string): string {
  let text = mermaid;
  const ids = new Set<string>();
  for (const m of text.matchAll(/(?:shmget|semget|msgget)\([^)]*\) = (\d+)/g)) ids.add(m[1]);
  for (const id of ids) text = text.replace(new RegExp(`\\b${id}\\b`, "g"), "ID");
  const pids: string[] = [];
  const pid = (n: string) =>
    `PID${(pids.includes(n) ? pids : (pids.push(n), pids)).indexOf(n) + 1}`;
  return text.replace(/0x[0-9a-f]{8}\b/g, "KEY").replace(/-[0-9a-f]{8}\b/g, "-TAG")
    .replace(/(seqnum_cl[._])(\d+)/g, (_, name, n) => `${name}${pid(n)}`);
}
