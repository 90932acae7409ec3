/**
 * Draws a {@link Picture} as a standalone SVG sequence diagram: no script, no
 * external fonts or files, readable on a light or a dark page (an embedded
 * `<style>` switches colours with `prefers-color-scheme`, and a background
 * rect follows it).
 *
 * Layout: the title on top; one column per lifeline with its head box at the
 * top and again at the bottom (processes: rounded boxes; kernel objects:
 * square boxes in another colour, with the object kind under the label);
 * dashed lifelines; one row per step. A `call` is a solid arrow with its
 * label above and the byte count under the head (a self-call is a small loop
 * to the right), an error call is red; a `spawn` is a dashed arrow; a `wait`
 * is an activation bar on the waiting lifeline down to the call with the same
 * `waitId` (else to the process's `exit`, else to the bottom), labelled at
 * its top, and arrows touching the bar stop at its edge; an
 * `exit` is a small box on the lifeline; a `loop` is a frame with a
 * `loop ×N` tab, its body drawn once. Column gaps grow to fit the labels,
 * with text widths estimated at 7.2 px per character of 12 px monospace.
 *
 * Hooks for tests (attribute values are XML-escaped):
 * - `<g class="lifeline" data-id="…" data-label="…" data-kind="…">`: one per
 *   lifeline, the head box at the top (ids a step names but `lifelines`
 *   lacks get a process lifeline at the right). The repeated box at the
 *   bottom is `<g class="lifeline-foot head …" data-id="…">`, so
 *   `class="lifeline"` is not counted twice.
 * - `<g class="arrow" data-from="…" data-to="…" data-step="call|spawn">`:
 *   one per `call` or `spawn` step as drawn (a loop body is drawn once); an
 *   error call has `class="arrow error"` (spawns keep `class="arrow"` and
 *   get their dashes from an inner `<g class="spawn">`). Count them with
 *   `/class="arrow(?: error)?"/g`.
 * - `<g class="wait" data-who="…" data-id="…">`: one per `wait` step.
 * - `<g class="exit" data-who="…">` (`class="exit error"` when it failed).
 * - Arrows carry `data-y` (the row's y); loops carry `data-top` and
 *   `data-bottom` (their frame's), so a test can tell which arrows a loop
 *   repeats.
 * - `<g class="loop" data-count="N">`: one per `loop` step; nested loops nest
 *   in the drawing (frames inset), not in the markup.
 *
 * @module
 */

import type { Lifeline, Picture, Step } from "./picture.ts";

/** Width of one character of 12 px monospace, in px (an estimate). */
const CHAR_W = 7.2;
const MARGIN = 20;
const HEAD_TOP = 48;
const HEAD_H = 40;
/** Minimum distance between two lifelines. */
const MIN_GAP = 110;
/** Space kept between a label and the lifelines at its ends. */
const LABEL_PAD = 14;
/** How far a nested loop frame is inset from its parent frame. */
const LOOP_INSET = 8;
const CALL_H = 42;
const WAIT_H = 28;
const EXIT_H = 32;
const LOOP_HEAD_H = 26;
const LOOP_FOOT_H = 10;
const BAR_W = 10;
const SELF_W = 26;

const KIND_WORD: Record<Lifeline["kind"], string> = {
  process: "process",
  pipe: "pipe",
  fifo: "FIFO",
  file: "file",
  socket: "socket",
  segment: "SysV segment",
  semaphore: "semaphore",
  queue: "message queue",
  "shm-object": "POSIX shm",
};

const STYLE = `
.bg{fill:#ffffff}
text{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,"Liberation Mono",monospace;font-size:12px;fill:#1f2328}
.title{font-size:16px;font-weight:bold}
.head rect{stroke-width:1.5}
.process rect{fill:#dbeafe;stroke:#1d4ed8}
.object rect{fill:#fef3c7;stroke:#b45309}
.kindword{font-size:10px;font-style:italic;fill:#6e7781}
.life{stroke:#8c959f;stroke-width:1;stroke-dasharray:4 4}
.arrow line,.arrow path{stroke:#1f2328;stroke-width:1.4;fill:none}
.arrow polygon{fill:#1f2328}
.spawn line{stroke-dasharray:6 4}
.arrow.error line,.arrow.error path{stroke:#cf222e}
.arrow.error polygon,.arrow.error text{fill:#cf222e}
.lbl{paint-order:stroke;stroke:#ffffff;stroke-width:4px;stroke-linejoin:round}
.bytes{font-size:10px;fill:#57606a}
.wait rect{fill:#d0d7de;stroke:#57606a;stroke-width:1}
.wait text{font-size:11px;font-style:italic;fill:#57606a}
.exit rect{fill:#f6f8fa;stroke:#57606a;stroke-width:1}
.exit.error rect{stroke:#cf222e}
.exit.error text{fill:#cf222e}
.loop rect{fill:none;stroke:#8c959f;stroke-width:1}
.loop polygon{fill:#eaeef2;stroke:#8c959f;stroke-width:1}
.loop text{font-size:11px;font-weight:bold}
@media (prefers-color-scheme:dark){
.bg{fill:#0d1117}
text{fill:#e6edf3}
.process rect{fill:#1e3a5f;stroke:#58a6ff}
.object rect{fill:#3d2e0a;stroke:#e3b341}
.kindword{fill:#8b949e}
.life{stroke:#6e7681}
.arrow line,.arrow path{stroke:#e6edf3}
.arrow polygon{fill:#e6edf3}
.arrow.error line,.arrow.error path{stroke:#ff7b72}
.arrow.error polygon,.arrow.error text{fill:#ff7b72}
.lbl{stroke:#0d1117}
.bytes{fill:#8b949e}
.wait rect{fill:#30363d;stroke:#8b949e}
.wait text{fill:#8b949e}
.exit rect{fill:#161b22;stroke:#8b949e}
.exit.error rect{stroke:#ff7b72}
.exit.error text{fill:#ff7b72}
.loop rect{stroke:#6e7681}
.loop polygon{fill:#21262d;stroke:#6e7681}
}
`;

/**
 * Escapes the XML special characters `& < > " '` for text and attributes.
 *
 * @param text Any text.
 * @returns The text, safe inside an element or a quoted attribute.
 */
export function xmlText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${XML_ENTITY[c]};`);
}

const XML_ENTITY: Record<string, string> = {
  "&": "amp",
  "<": "lt",
  ">": "gt",
  '"': "quot",
  "'": "apos",
};

/** Estimated width of `text` in monospace of `px` pixels, in px. */
function textWidth(text: string, px = 12): number {
  return [...text].length * px * (CHAR_W / 12);
}

/** Width of a loop frame's tab holding `word`. */
function tabWidth(word: string): number {
  return textWidth(word, 11) * 1.05 + 24;
}

/** Whether a head box shows its kind word (not when the label already says it). */
function showsKind(l: Lifeline): boolean {
  return l.kind !== "process" && l.label.toLowerCase() !== KIND_WORD[l.kind].toLowerCase();
}

/** The byte count as drawn under an arrow head. */
function bytesText(bytes: number): string {
  return `${bytes} B`;
}

/** Rounds to 0.1 px for compact output. */
function n(value: number): string {
  return String(Math.round(value * 10) / 10);
}

type CallStep = Extract<Step, { type: "call" }>;
type SpawnStep = Extract<Step, { type: "spawn" }>;
type WaitStep = Extract<Step, { type: "wait" }>;
type ExitStep = Extract<Step, { type: "exit" }>;

/** One drawn row: a step and where it sits. */
type Row =
  | { step: CallStep | SpawnStep; top: number }
  | { step: WaitStep; top: number }
  | { step: ExitStep; top: number };

/** One loop frame. */
interface Frame {
  count: number;
  top: number;
  bottom: number;
  depth: number;
}

/** One activation bar. */
interface Bar {
  step: WaitStep;
  top: number;
  bottom: number;
}

/** The y of the arrow (or the middle) of a row. */
function arrowY(row: Row): number {
  return row.top + 22;
}

/**
 * Draws the picture as a standalone SVG document.
 *
 * @param picture The run to draw.
 * @returns The SVG text (UTF-8, no XML declaration), ending with a newline.
 */
export function toSvg(picture: Picture): string {
  // Lifelines, plus any id a step names that the picture forgot.
  const lifelines: Lifeline[] = [...picture.lifelines];
  const column = new Map<string, number>(lifelines.map((l, i) => [l.id, i]));
  const col = (id: string): number => {
    let i = column.get(id);
    if (i === undefined) {
      i = lifelines.push({ id, label: id, kind: "process" }) - 1;
      column.set(id, i);
    }
    return i;
  };

  // Vertical layout: rows and frames, top to bottom.
  const rows: Row[] = [];
  const frames: Frame[] = [];
  let maxDepth = 0;
  let y = HEAD_TOP + HEAD_H + 16;
  const place = (steps: Step[], depth: number): void => {
    for (const step of steps) {
      switch (step.type) {
        case "call":
        case "spawn":
          col(step.from);
          col(step.to);
          rows.push({ step, top: y });
          y += CALL_H;
          break;
        case "wait":
          col(step.who);
          rows.push({ step, top: y });
          y += WAIT_H;
          break;
        case "exit":
          col(step.who);
          rows.push({ step, top: y });
          y += EXIT_H;
          break;
        case "loop": {
          maxDepth = Math.max(maxDepth, depth + 1);
          const frame: Frame = { count: step.count, top: y, bottom: 0, depth };
          frames.push(frame);
          y += LOOP_HEAD_H;
          place(step.steps, depth + 1);
          y += LOOP_FOOT_H;
          frame.bottom = y;
          y += 6;
          break;
        }
      }
    }
  };
  place(picture.steps, 0);
  const rowsBottom = y;

  // Activation bars: from each wait down to the call ending it.
  const bars: Bar[] = [];
  for (const [i, row] of rows.entries()) {
    if (row.step.type !== "wait") continue;
    const id = row.step.id;
    const who = row.step.who;
    const later = rows.slice(i + 1);
    const end = later.find((r) => r.step.type === "call" && r.step.waitId === id);
    // No call ends the wait: the bar runs to the process's exit, or the bottom.
    const exit = later.find((r) => r.step.type === "exit" && r.step.who === who);
    if (!end && exit) {
      bars.push({ step: row.step, top: row.top + 8, bottom: exit.top + 6 });
      continue;
    }
    bars.push({ step: row.step, top: row.top + 8, bottom: end ? arrowY(end) + 4 : rowsBottom });
  }
  const activeAt = (who: string, at: number): boolean =>
    bars.some((b) => b.step.who === who && b.top <= at && at <= b.bottom);

  // Horizontal layout: how much room each column needs.
  const count = lifelines.length;
  const headW = lifelines.map((l) =>
    Math.max(
      80,
      textWidth(l.label) + 24,
      showsKind(l) ? textWidth(KIND_WORD[l.kind], 10) + 24 : 0,
    )
  );
  const half = headW.map((w) => w / 2);
  const right = new Array<number>(count).fill(0);
  const spans: { lo: number; hi: number; width: number }[] = [];
  for (const row of rows) {
    const step = row.step;
    if (step.type === "exit") {
      const i = col(step.who);
      half[i] = Math.max(half[i], (textWidth(step.label) + 16) / 2);
    } else if (step.type === "wait") {
      const i = col(step.who);
      right[i] = Math.max(right[i], BAR_W / 2 + 6 + textWidth(step.label, 11));
    } else {
      const a = col(step.from);
      const b = col(step.to);
      const bytes = step.type === "call" && step.bytes !== undefined ? bytesText(step.bytes) : "";
      if (a === b) {
        right[a] = Math.max(right[a], BAR_W / 2 + SELF_W + 8 + textWidth(step.label));
      } else {
        const width = Math.max(textWidth(step.label), textWidth(bytes, 10) * 2) + 2 * LABEL_PAD;
        spans.push({ lo: Math.min(a, b), hi: Math.max(a, b), width });
      }
    }
  }
  const gaps: number[] = [];
  for (let i = 0; i + 1 < count; i++) {
    gaps.push(Math.max(MIN_GAP, half[i] + half[i + 1] + 24, right[i] + LABEL_PAD));
  }
  spans.sort((p, q) => (p.hi - p.lo) - (q.hi - q.lo));
  for (const span of spans) {
    let have = 0;
    for (let i = span.lo; i < span.hi; i++) have += gaps[i];
    const more = (span.width - have) / (span.hi - span.lo);
    if (more > 0) { for (let i = span.lo; i < span.hi; i++) gaps[i] += more; }
  }
  const frameRoom = maxDepth * LOOP_INSET + 12;
  const xs: number[] = [];
  // Keep the first lifeline (and its activation bars) right of every loop tab.
  const tabRight = Math.max(
    0,
    ...frames.map((f) => f.depth * LOOP_INSET + tabWidth(`loop ×${f.count}`) + BAR_W / 2 + 6),
  );
  let x = MARGIN + Math.max(frameRoom + Math.max(half[0] ?? 0, 10), tabRight);
  for (let i = 0; i < count; i++) {
    xs.push(x);
    x += gaps[i] ?? 0;
  }
  const last = count - 1;
  const loopTabs = frames.map((f) => tabWidth(`loop ×${f.count}`) + f.depth * LOOP_INSET);
  const width = Math.ceil(Math.max(
    count ? xs[last] + Math.max(half[last], right[last] + 8) + frameRoom + MARGIN : 0,
    textWidth(picture.title, 16) + 2 * MARGIN,
    ...loopTabs.map((w) => w + 2 * MARGIN),
    200,
  ));
  const footTop = rowsBottom + 14;
  const height = Math.ceil(footTop + HEAD_H + MARGIN);

  // Drawing, back to front: background, frames, lifelines, bars, arrows.
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${
      xmlText(picture.title)
    }">`,
  );
  out.push(`<title>${xmlText(picture.title)}</title>`);
  out.push(`<style>${STYLE}</style>`);
  out.push(`<rect class="bg" x="0" y="0" width="${width}" height="${height}"/>`);
  out.push(`<text class="title" x="${MARGIN}" y="30">${xmlText(picture.title)}</text>`);

  for (const i of lifelines.keys()) {
    out.push(
      `<line class="life" x1="${n(xs[i])}" y1="${HEAD_TOP + HEAD_H}" x2="${n(xs[i])}" y2="${
        n(footTop)
      }"/>`,
    );
  }

  const frameLeft = MARGIN;
  const frameRight = width - MARGIN;
  for (const f of frames) {
    const l = frameLeft + f.depth * LOOP_INSET;
    const r = frameRight - f.depth * LOOP_INSET;
    const word = `loop ×${f.count}`;
    const tw = tabWidth(word) - 8;
    out.push(
      `<g class="loop" data-count="${f.count}" data-top="${n(f.top)}" data-bottom="${
        n(f.bottom)
      }">` +
        `<rect x="${n(l)}" y="${n(f.top)}" width="${n(r - l)}" height="${n(f.bottom - f.top)}"/>` +
        `<polygon points="${n(l)},${n(f.top)} ${n(l + tw + 8)},${n(f.top)} ${n(l + tw + 8)},${
          n(f.top + 12)
        } ${n(l + tw)},${n(f.top + 19)} ${n(l)},${n(f.top + 19)}"/>` +
        `<text x="${n(l + 6)}" y="${n(f.top + 14)}">${xmlText(word)}</text></g>`,
    );
  }

  const head = (l: Lifeline, i: number, top: number, foot: boolean): string => {
    const w = headW[i];
    const shape = l.kind === "process" ? "process" : "object";
    const rx = l.kind === "process" ? 10 : 0;
    const attrs = foot
      ? `class="lifeline-foot head ${shape}" data-id="${xmlText(l.id)}"`
      : `class="lifeline" data-id="${xmlText(l.id)}" data-label="${
        xmlText(l.label)
      }" data-kind="${l.kind}"`;
    const label = !showsKind(l)
      ? `<text x="${n(xs[i])}" y="${n(top + 24)}" text-anchor="middle">${xmlText(l.label)}</text>`
      : `<text x="${n(xs[i])}" y="${n(top + 18)}" text-anchor="middle">${xmlText(l.label)}</text>` +
        `<text class="kindword" x="${n(xs[i])}" y="${n(top + 32)}" text-anchor="middle">${
          xmlText(KIND_WORD[l.kind])
        }</text>`;
    // The top box carries both classes through a wrapper so the hook stays exact.
    const box = `<rect x="${n(xs[i] - w / 2)}" y="${n(top)}" width="${
      n(w)
    }" height="${HEAD_H}" rx="${rx}"/>`;
    return foot
      ? `<g ${attrs}>${box}${label}</g>`
      : `<g ${attrs}><g class="head ${shape}">${box}${label}</g></g>`;
  };
  for (const [i, l] of lifelines.entries()) {
    out.push(head(l, i, HEAD_TOP, false), head(l, i, footTop, true));
  }

  for (const bar of bars) {
    const cx = xs[col(bar.step.who)];
    out.push(
      `<g class="wait" data-who="${xmlText(bar.step.who)}" data-id="${bar.step.id}">` +
        `<rect x="${n(cx - BAR_W / 2)}" y="${n(bar.top)}" width="${BAR_W}" height="${
          n(Math.max(4, bar.bottom - bar.top))
        }"/>` +
        `<text class="lbl" x="${n(cx + BAR_W / 2 + 6)}" y="${n(bar.top + 11)}">${
          xmlText(bar.step.label)
        }</text></g>`,
    );
  }

  for (const row of rows) {
    const step = row.step;
    if (step.type === "wait") continue;
    if (step.type === "exit") {
      const cx = xs[col(step.who)];
      const w = textWidth(step.label) + 16;
      out.push(
        `<g class="exit${step.error ? " error" : ""}" data-who="${xmlText(step.who)}">` +
          `<rect x="${n(cx - w / 2)}" y="${n(row.top + 6)}" width="${n(w)}" height="20" rx="3"/>` +
          `<text x="${n(cx)}" y="${n(row.top + 20)}" text-anchor="middle">${
            xmlText(step.label)
          }</text></g>`,
      );
      continue;
    }
    out.push(arrow(step, row, xs[col(step.from)], xs[col(step.to)], activeAt));
  }

  out.push("</svg>");
  return out.join("\n") + "\n";
}

/** Draws one call or spawn arrow group. */
function arrow(
  step: CallStep | SpawnStep,
  row: Row,
  fromX: number,
  toX: number,
  activeAt: (who: string, at: number) => boolean,
): string {
  const y = arrowY(row);
  const error = step.type === "call" && step.error === true;
  // The class attribute is exactly "arrow" or "arrow error" (the test hook);
  // the dashed spawn look comes from an inner group.
  const open = `<g class="${error ? "arrow error" : "arrow"}" data-from="${
    xmlText(step.from)
  }" data-to="${xmlText(step.to)}" data-step="${step.type}" data-y="${n(y)}">`;
  const inner = step.type === "spawn" ? `<g class="spawn">` : "";
  const close = inner ? "</g></g>" : "</g>";
  const bytes = step.type === "call" && step.bytes !== undefined ? bytesText(step.bytes) : "";
  const label = xmlText(step.label);
  if (step.from === step.to) {
    const x0 = fromX + (activeAt(step.from, y) ? BAR_W / 2 : 0);
    const y0 = y - 8;
    const y1 = y + 6;
    const path = `M${n(x0)},${n(y0)} H${n(x0 + SELF_W)} V${n(y1)} H${n(x0 + 6)}`;
    return open + inner +
      `<path d="${path}"/>` +
      `<polygon points="${n(x0)},${n(y1)} ${n(x0 + 9)},${n(y1 - 4)} ${n(x0 + 9)},${n(y1 + 4)}"/>` +
      `<text class="lbl" x="${n(x0 + SELF_W + 6)}" y="${n(y0 + 11)}">${label}</text>` +
      (bytes
        ? `<text class="bytes lbl" x="${n(x0 + SELF_W + 6)}" y="${n(y1 + 12)}">${bytes}</text>`
        : "") +
      close;
  }
  const dir = toX > fromX ? 1 : -1;
  const x1 = fromX + (activeAt(step.from, y) ? dir * BAR_W / 2 : 0);
  const x2 = toX - (activeAt(step.to, y) ? dir * BAR_W / 2 : 0);
  const head = `${n(x2)},${n(y)} ${n(x2 - dir * 10)},${n(y - 4.5)} ${n(x2 - dir * 10)},${
    n(y + 4.5)
  }`;
  return open + inner +
    `<line x1="${n(x1)}" y1="${n(y)}" x2="${n(x2 - dir * 8)}" y2="${n(y)}"/>` +
    `<polygon points="${head}"/>` +
    `<text class="lbl" x="${n((x1 + x2) / 2)}" y="${
      n(y - 6)
    }" text-anchor="middle">${label}</text>` +
    (bytes
      ? `<text class="bytes lbl" x="${n(x2 - dir * 6)}" y="${n(y + 14)}" text-anchor="${
        dir > 0 ? "end" : "start"
      }">${bytes}</text>`
      : "") +
    close;
}
