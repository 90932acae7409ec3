/**
 * The picture of one run, as the renderers see it: lifelines (processes and
 * kernel objects) and steps from top to bottom in the order the kernel saw
 * them. scripts/trace/model.ts builds it from IPC_TRACE's machine lines;
 * scripts/trace/svg.ts and scripts/trace/mermaid.ts draw it.
 *
 * @module
 */
import type { TracedObjectKind } from "../../lib/trace_machine.ts";

/** What a lifeline stands for: a process, or one of the kernel objects a trace line names. */
export type LifelineKind = "process" | TracedObjectKind;

/** One lifeline: a process, or a kernel object the processes share. */
export interface Lifeline {
  /** Unique within the picture; safe as a Mermaid participant id ([A-Za-z0-9_]). */
  id: string;
  /** What the reader sees in the head box: `parent`, `pipe`, `testfifo`, `segment 0x4d2`. */
  label: string;
  kind: LifelineKind;
}

/** One row of the picture. */
export type Step =
  /**
   * A libc call: an arrow from the process to the object (or from the object
   * to the process when data comes back: read, recv, msgrcv, mq_receive), or
   * to itself when the call has no object. `waitId` marks a call that
   * blocked until another process acted: the renderer draws the wait on the
   * caller's lifeline, from the `wait` step with the same `id` (always
   * above, in the same steps array or an enclosing one) down to this row.
   */
  | {
    type: "call";
    from: string;
    to: string;
    /** The call as the reader should read it: `read(fd 21) = 4`, `shmat(segment) = 0x7f…`. */
    label: string;
    /** Bytes the call moved, when it moved data (drawn on the arrow). */
    bytes?: number;
    /** The call failed: drawn red, the label ends with the errno name. */
    error?: boolean;
    /** The call blocked, from the `wait` step with this id down to this one. */
    waitId?: number;
  }
  /** Where a blocking call began (its end is the matching `call` step). */
  | { type: "wait"; id: number; who: string; label: string }
  /** A process started another (posix_spawnp): an arrow to the new lifeline. */
  | { type: "spawn"; from: string; to: string; label: string }
  /** The end of a process, at the bottom of its lifeline: `exit 0`, `killed by SIGKILL`. */
  | { type: "exit"; who: string; label: string; error?: boolean }
  /** The same steps repeated `count` times in a row, drawn once in a loop frame. */
  | { type: "loop"; count: number; steps: Step[] };

/** The whole picture. */
export interface Picture {
  /** The title above the picture: the program or tour scene. */
  title: string;
  /** Left to right. */
  lifelines: Lifeline[];
  /** Top to bottom. */
  steps: Step[];
}
