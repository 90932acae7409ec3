/**
 * Draws a {@link Picture} as Mermaid `sequenceDiagram` text, for Markdown
 * pages that GitHub and other Mermaid-aware viewers render.
 *
 * - Every lifeline becomes `participant <id> as <label>`, left to right.
 * - A `call` is `from->>to: label`; arrows whose `from` is not a process
 *   (data coming back from a kernel object) are dashed (`-->>`). `bytes` is
 *   appended as ` (N bytes)` unless the label already says so; an `error`
 *   call gets a `✘ ` prefix, since Mermaid has no per-arrow colour.
 * - A `wait` is a `Note over` plus `activate`; the `call` with the matching
 *   `waitId` is followed by `deactivate`. A wait without a matching call
 *   below it gets no activation, so activate/deactivate always balance.
 * - A `spawn` is a plain arrow (no `create participant`, which only recent
 *   Mermaid versions know); an `exit` is a `Note over`.
 * - A `loop` is `loop <count> times` … `end`, indented 4 spaces per level.
 *
 * Labels are escaped by {@link mermaidText}: `;` becomes `,` (Mermaid reads
 * `;` as a statement separator), `#` becomes the entity `#35;` (Mermaid reads
 * `#…;` as an entity), and newlines become spaces.
 *
 * @module
 */

import type { Lifeline, Picture, Step } from "./picture.ts";

/**
 * Makes text safe inside a Mermaid label: `#` → `#35;`, `;` → `,`, line
 * breaks → one space each.
 *
 * @param text The label as the reader should read it.
 * @returns The label as Mermaid source text.
 */
export function mermaidText(text: string): string {
  return text
    .replace(/\r\n|\r|\n/g, " ")
    .replace(/[#;]/g, (c) => c === "#" ? "#35;" : ",");
}

/** The label of a call, with its byte count and error mark. */
function callLabel(step: Extract<Step, { type: "call" }>): string {
  let label = step.label;
  if (step.bytes !== undefined && !new RegExp(`\\b${step.bytes}\\s*(bytes?|B)\\b`).test(label)) {
    label += ` (${step.bytes} ${step.bytes === 1 ? "byte" : "bytes"})`;
  }
  return step.error ? `✘ ${label}` : label;
}

/** Every `waitId` some call in the steps (at any depth) ends. */
function endedWaits(steps: Step[], into = new Set<number>()): Set<number> {
  for (const step of steps) {
    if (step.type === "call" && step.waitId !== undefined) into.add(step.waitId);
    if (step.type === "loop") endedWaits(step.steps, into);
  }
  return into;
}

/**
 * Draws the picture as Mermaid `sequenceDiagram` source, without code fences.
 *
 * @param picture The run to draw.
 * @returns Mermaid text, one statement per line, ending with a newline.
 */
export function toMermaid(picture: Picture): string {
  const kinds = new Map<string, Lifeline["kind"]>(picture.lifelines.map((l) => [l.id, l.kind]));
  const ended = endedWaits(picture.steps);
  /** Waits drawn as an activation, by id: who is active. */
  const active = new Map<number, string>();
  /** Waits whose ending call was already drawn (out-of-order input). */
  const done = new Set<number>();
  const lines = ["sequenceDiagram"];
  for (const lifeline of picture.lifelines) {
    lines.push(`    participant ${lifeline.id} as ${mermaidText(lifeline.label)}`);
  }

  const draw = (steps: Step[], depth: number): void => {
    const pad = "    ".repeat(depth);
    for (const step of steps) {
      switch (step.type) {
        case "call": {
          const arrow = kinds.get(step.from) === "process" ? "->>" : "-->>";
          lines.push(`${pad}${step.from}${arrow}${step.to}: ${mermaidText(callLabel(step))}`);
          const who = step.waitId === undefined ? undefined : active.get(step.waitId);
          if (step.waitId !== undefined) done.add(step.waitId);
          if (who !== undefined) {
            lines.push(`${pad}deactivate ${who}`);
            active.delete(step.waitId!);
          }
          break;
        }
        case "wait":
          lines.push(`${pad}Note over ${step.who}: ${mermaidText(step.label)}`);
          if (ended.has(step.id) && !done.has(step.id) && !active.has(step.id)) {
            lines.push(`${pad}activate ${step.who}`);
            active.set(step.id, step.who);
          }
          break;
        case "spawn":
          lines.push(`${pad}${step.from}->>${step.to}: ${mermaidText(step.label)}`);
          break;
        case "exit":
          lines.push(
            `${pad}Note over ${step.who}: ${
              mermaidText(step.error ? `✘ ${step.label}` : step.label)
            }`,
          );
          break;
        case "loop":
          lines.push(`${pad}loop ${step.count} times`);
          draw(step.steps, depth + 1);
          lines.push(`${pad}end`);
          break;
      }
    }
  };
  draw(picture.steps, 1);
  // A call that ended its wait before the wait began (out-of-order input)
  // leaves an activation open: close it so Mermaid accepts the diagram.
  for (const who of active.values()) lines.push(`    deactivate ${who}`);
  return lines.join("\n") + "\n";
}

/**
 * Draws the picture as a fenced Mermaid block for a Markdown page.
 *
 * @param picture The run to draw.
 * @returns "```mermaid", the {@link toMermaid} text, "```", ending with a newline.
 */
export function mermaidFence(picture: Picture): string {
  return "```mermaid\n" + toMermaid(picture) + "```\n";
}
