/**
 * The benchmark's results: the data model (what `--json` prints), the
 * statistics (median, min–max over rounds), the target checks, the
 * terminal table and the SVG bar chart.
 *
 * @module
 */

/** Median and range of one figure over the rounds. */
export interface Stat {
  median: number;
  min: number;
  max: number;
  /** Every round's value, in the order measured. */
  rounds: number[];
}

/** The five IPC kinds the seeds name, in their order. */
export const IPC_KINDS = ["pipes", "FIFOs", "shared memory", "message queues", "sockets"] as const;
/** One of {@link IPC_KINDS}. */
export type IpcKind = typeof IPC_KINDS[number];

/** One row of the table, for one placement. */
export interface RowResult {
  id: string;
  kind: "bulk" | "pingpong";
  /** "ffi": our lib/ over Deno FFI; "builtin": Deno's own APIs, no FFI. */
  impl: "ffi" | "builtin";
  /** Which of the seeds' five IPC kinds the row measures. */
  ipc: IpcKind;
  label: string;
  /** Bulk rows: the timed bytes and the piece (message) size of this row. */
  bytes?: number;
  chunk?: number;
  /** What the C column runs for this row. */
  cLabel: string;
  unit: "GB/s" | "µs";
  /** null when no C compiler was found (`cNote` says so). */
  c: Stat | null;
  cNote?: string;
  deno: Stat;
  /** Deno/C per round: throughput ratio for bulk (1.0 = C's speed, higher
   * is better), time ratio for ping-pong (1.0 = C's round trip, lower is better). */
  ratio: Stat | null;
}

/** All rows measured with one CPU placement. */
export interface PlacementResult {
  placement: "pinned" | "unpinned";
  /** The CPU both processes were pinned to; null when unpinned. */
  cpu: number | null;
  /** What this table measures, in words. */
  measures: string;
  rows: RowResult[];
}

/** One target of issue #17 (and #7's built-in one), checked on the pinned table. */
export interface TargetCheck {
  name: string;
  /** The row it is about (the first row for the built-in comparison). */
  row: string;
  goal: string;
  /** The measured median (null when it could not be measured). */
  measured: number | null;
  met: boolean | null;
}

/** Everything `--json` prints. */
export interface Report {
  date: string;
  machine: { cpus: number; arch: string; os: string; deno: string; v8: string };
  options: {
    bytes: number;
    chunk: number;
    warmBytes: number;
    iters: number;
    warmMaxIters: number;
    warmMs: number;
    rounds: number;
    cc: string;
    /** The bulk message of the queue rows: --chunk capped at the limit read from `from`. */
    messageSize: {
      sysv: { bytes: number; limit: number; from: string };
      posix: { bytes: number; limit: number; from: string };
    };
    /** Every SysV key and POSIX queue name the runs used (ping-pong adds `-d`, `-u`). */
    queues: { keys: number[]; names: string[] };
  };
  placements: PlacementResult[];
  targets: TargetCheck[];
  /** The answer to the seeds' "shared memory is the fastest", one line per kind of test. */
  summary: string[];
}

/** Median (mean of the middle two for an even count), min and max. */
export function stat(values: number[]): Stat {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], rounds: values };
}

function row(report: Report, placement: string, id: string): RowResult | undefined {
  return report.placements.find((p) => p.placement === placement)?.rows.find((r) => r.id === id);
}

/** The ratio every pinned FFI row must reach (issue #17). */
export const TARGET = { bulk: 0.95, pingpong: 1.10 } as const;

/**
 * Check the targets against the pinned table (if it was measured): every
 * FFI row at ≥ 0.95 of C's throughput (bulk) or ≤ 1.10× C's round trip
 * (ping-pong), and the FFI pipe at ≥ 2× Deno's own Deno.Command stream.
 */
export function checkTargets(report: Report): TargetCheck[] {
  const out: TargetCheck[] = [];
  const pinned = report.placements.find((p) => p.placement === "pinned");
  for (const r of pinned?.rows ?? []) {
    if (r.impl !== "ffi") continue;
    const value = r.ratio?.median ?? null;
    const bulk = r.kind === "bulk";
    out.push({
      name: `${bulk ? "bulk" : "ping-pong"} ${r.label}`,
      row: r.id,
      goal: bulk ? `≥ ${TARGET.bulk} of C` : `≤ ${TARGET.pingpong.toFixed(2)}× C`,
      measured: value,
      met: value === null ? null : bulk ? value >= TARGET.bulk : value <= TARGET.pingpong,
    });
  }
  const ffi = row(report, "pinned", "bulk-pipe")?.deno.rounds;
  const builtin = row(report, "pinned", "bulk-builtin-pipe")?.deno.rounds;
  const speedup = ffi && builtin ? stat(ffi.map((v, i) => v / builtin[i])).median : null;
  out.push({
    name: "FFI pipe vs Deno.Command stream",
    row: "bulk-pipe",
    goal: "≥ 2× its throughput",
    measured: speedup,
    met: speedup === null ? null : speedup >= 2,
  });
  return out;
}

/**
 * The answer to the seeds' claim, "shared memory is the fastest form of
 * interprocess communication": the five kinds ordered by what this machine
 * measured (the pinned table if there is one; each kind's best FFI row;
 * C's figures, Deno's where C could not run), for bulk and for ping-pong.
 */
export function summarize(report: Report): string[] {
  const p = report.placements.find((x) => x.placement === "pinned") ?? report.placements[0];
  if (!p) return [];
  const out: string[] = [];
  for (const kind of ["bulk", "pingpong"] as const) {
    const bulk = kind === "bulk";
    const better = (a: number, b: number) => bulk ? a > b : a < b;
    const best = new Map<IpcKind, { value: number; row: RowResult }>();
    for (const r of p.rows) {
      if (r.kind !== kind || r.impl !== "ffi") continue;
      const value = (r.c ?? r.deno).median;
      const seen = best.get(r.ipc);
      if (!seen || better(value, seen.value)) best.set(r.ipc, { value, row: r });
    }
    const order = [...best.entries()].sort((a, b) =>
      bulk ? b[1].value - a[1].value : a[1].value - b[1].value
    );
    if (order.length === 0) continue;
    const source = p.rows.some((r) => r.c) ? "C" : "Deno";
    const missing = IPC_KINDS.filter((k) => !best.has(k));
    const list = order.map(([k, v], i) =>
      `${k} ${num(v.value)}${i === 0 ? ` ${bulk ? "GB/s" : "µs"}` : ""}`
    ).join(bulk ? " > " : " < ");
    const first = order[0][0];
    const answer = first === "shared memory"
      ? "yes, shared memory is the fastest"
      : `no, ${first} ${bulk ? "moved the most" : "answered the fastest"}`;
    out.push(
      `Is shared memory the fastest? ${bulk ? "Bulk" : "Ping-pong"} (${p.placement}, ${source}): ` +
        `${list}: ${answer}` +
        (missing.length
          ? ` (no ${bulk ? "bulk" : "ping-pong"} row for ${missing.join(", ")})`
          : "") +
        ".",
    );
  }
  return out;
}

// ---- terminal table ----------------------------------------------------------

function num(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function cell(s: Stat | null, note = "n/a"): string {
  return s ? `${num(s.median)} (${num(s.min)}–${num(s.max)})` : note;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s + " " : s + " ".repeat(n - s.length);
}

/** Human-readable sizes: 1 GiB, 64 KiB, 1000 B. */
export function bytesText(n: number): string {
  for (const [unit, size] of [["GiB", 2 ** 30], ["MiB", 2 ** 20], ["KiB", 2 ** 10]] as const) {
    if (n >= size && n % size === 0) return `${n / size} ${unit}`;
  }
  return n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(1)} MiB` : `${n} B`;
}

/** The whole report as the terminal table. */
export function formatTable(report: Report): string {
  const o = report.options;
  const lines = [
    `ipc-lab bench: ${bytesText(o.bytes)} in ${bytesText(o.chunk)} chunks, ` +
    `${o.iters} round trips of 4 bytes, ${o.rounds} rounds; ` +
    `C (${o.cc} -O2) vs Deno ${report.machine.deno} (${report.machine.cpus} CPUs)`,
    `Each cell: median (min–max) over the rounds; Deno/C is computed per round.`,
    `Message queue bulk rows send ${bytesText(o.messageSize.sysv.bytes)} (SysV: ` +
    `${o.messageSize.sysv.from} = ${o.messageSize.sysv.limit}) and ` +
    `${bytesText(o.messageSize.posix.bytes)} (POSIX: ${o.messageSize.posix.from} = ` +
    `${o.messageSize.posix.limit}) messages: the largest the limits allow, at most --chunk.`,
  ];
  for (const p of report.placements) {
    lines.push("", `${p.placement.toUpperCase()}: ${p.measures}`);
    const head = pad("", 48) + pad("C", 22) + pad("Deno", 22) + "Deno/C";
    for (const kind of ["bulk", "pingpong"] as const) {
      const rows = p.rows.filter((r) => r.kind === kind);
      if (rows.length === 0) continue;
      lines.push(
        kind === "bulk"
          ? `Bulk throughput, GB/s (higher is better; Deno/C = fraction of C's throughput)`
          : `Ping-pong round trip, µs (lower is better; Deno/C = times C's round trip)`,
        head,
      );
      for (const r of rows) {
        const label = `${r.impl === "builtin" ? "[built-in] " : ""}${r.label}`;
        lines.push(
          "  " + pad(label, 46) + pad(cell(r.c, r.cNote), 22) + pad(cell(r.deno), 22) +
            (r.ratio ? cell(r.ratio) : "n/a") +
            (r.impl === "builtin" ? `  (C: ${r.cLabel})` : ""),
        );
      }
    }
  }
  if (report.targets.length) {
    lines.push("", "Targets (pinned table):");
    for (const t of report.targets) {
      const verdict = t.met === null ? "not measured" : t.met ? "met" : "MISSED";
      const value = t.measured === null ? "n/a" : t.measured.toFixed(3);
      lines.push(`  ${pad(t.name, 46)}${pad(t.goal, 22)}measured ${pad(value, 8)}${verdict}`);
    }
  }
  if (report.summary.length) lines.push("", ...report.summary);
  return lines.join("\n");
}

// ---- SVG -----------------------------------------------------------------------

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * The chart: the pinned table (or the only one measured), bulk and
 * ping-pong side by side, rows grouped by the seeds' five IPC kinds; in
 * each row C's bar (grey) is the reference and Deno's bar (blue: through
 * FFI, orange: Deno built-in) sits under it, with min–max whiskers and
 * Deno/C. A dashed line marks C's median across Deno's bar.
 */
export function formatSvg(report: Report): string {
  const p = report.placements.find((x) => x.placement === "pinned") ?? report.placements[0];
  const panelW = 600, labelW = 290, barW = 230, bar = 12, rowH = 34, groupH = 20;
  const width = 2 * panelW + 60;
  const parts: string[] = [];
  const title = "ipc-lab bench: is shared memory the fastest? The five IPC kinds, C vs Deno";
  parts.push(`<text x="16" y="24" class="h1">${esc(title)}</text>`);
  parts.push(
    `<text x="16" y="42" class="small">${
      esc(
        `Grey: C, the reference (dashed line: its median). Blue: Deno through FFI (lib/). ` +
          `Orange: Deno's built-in APIs. Median with min–max over ${report.options.rounds} ` +
          `rounds` + (p
            ? `; ${p.placement}${p.cpu === null ? "" : ` (both processes on CPU ${p.cpu})`}, ` +
              `${report.machine.cpus} CPUs, Deno ${report.machine.deno}, ${
                report.date.slice(0, 10)
              }.`
            : "."),
      )
    }</text>`,
  );
  let bottom = 60;
  (["bulk", "pingpong"] as const).forEach((kind, panel) => {
    const rows = p?.rows.filter((r) => r.kind === kind) ?? [];
    if (rows.length === 0) return;
    const x0 = 10 + panel * (panelW + 10);
    let y = 60;
    // The scale fits C and the FFI rows; a slower built-in bar is cut at
    // the edge (marked ») so it does not shrink every other bar.
    const max = 1.15 * Math.max(
      ...rows.flatMap((r) => [r.c?.max ?? 0, r.impl === "ffi" ? r.deno.max : 0]),
    );
    parts.push(
      `<text x="${x0 + 6}" y="${y + 16}" class="h2">${
        esc(
          kind === "bulk"
            ? "Bulk throughput, GB/s (longer is better)"
            : "Ping-pong round trip, µs (shorter is better)",
        )
      }</text>`,
    );
    y += 28;
    const scale = (v: number) => x0 + labelW + (Math.min(v, max) / max) * barW;
    for (const ipc of IPC_KINDS) {
      const group = rows.filter((r) => r.ipc === ipc);
      parts.push(
        `<text x="${x0 + 6}" y="${y + 14}" class="group">${esc(ipc)}</text>`,
        `<line x1="${x0 + 6}" x2="${x0 + panelW - 6}" y1="${y + 18}" y2="${
          y + 18
        }" stroke="#ccc"/>`,
      );
      y += groupH + 4;
      if (group.length === 0) {
        parts.push(
          `<text x="${x0 + labelW}" y="${y + 10}" class="small">${
            esc(kind === "bulk" ? "no row" : "no ping-pong row (a FIFO is a pipe with a name)")
          }</text>`,
        );
        y += 18;
        continue;
      }
      for (const r of group) {
        parts.push(
          `<text x="${x0 + labelW - 8}" y="${y + 17}" text-anchor="end">${
            esc((r.impl === "builtin" ? "[built-in] " : "") + r.label)
          }</text>`,
        );
        const bars: Array<[Stat | null, string]> = [
          [r.c, "#9e9e9e"],
          [r.deno, r.impl === "builtin" ? "#ef8a17" : "#2b6cb0"],
        ];
        bars.forEach(([s, color], i) => {
          const by = y + i * (bar + 2);
          if (!s) {
            parts.push(
              `<text x="${x0 + labelW + 4}" y="${by + 10}" class="small">${
                esc(r.cNote ?? "n/a")
              }</text>`,
            );
            return;
          }
          parts.push(
            `<rect x="${x0 + labelW}" y="${by}" width="${
              (scale(s.median) - x0 - labelW).toFixed(1)
            }" height="${bar}" fill="${color}"/>`,
            `<line x1="${scale(s.min).toFixed(1)}" x2="${scale(s.max).toFixed(1)}" y1="${
              by + bar / 2
            }" y2="${by + bar / 2}" stroke="#222" stroke-width="1.5"/>`,
            s.median > max
              // cut at the edge: the figure goes inside the bar, in white
              ? `<text x="${(scale(max) - 5).toFixed(1)}" y="${by + 10}" text-anchor="end" ` +
                `class="small" fill="white">» ${num(s.median)}${
                  i === 1 && r.ratio ? `  (${num(r.ratio.median)}× C)` : ""
                }</text>`
              : `<text x="${(scale(s.max) + 5).toFixed(1)}" y="${by + 10}" class="small">${
                num(s.median)
              }${i === 1 && r.ratio ? `  (${num(r.ratio.median)}× C)` : ""}</text>`,
          );
        });
        if (r.c) {
          const cx = scale(r.c.median).toFixed(1);
          parts.push(
            `<line x1="${cx}" x2="${cx}" y1="${y - 2}" y2="${
              y + 2 * bar + 4
            }" stroke="#555" stroke-dasharray="3,2"/>`,
          );
        }
        y += rowH;
      }
    }
    bottom = Math.max(bottom, y);
  });
  for (const line of report.summary) {
    parts.push(`<text x="16" y="${bottom + 16}" class="small">${esc(line)}</text>`);
    bottom += 18;
  }
  const height = bottom + 16;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<style>.h1{font-size:14px;font-weight:bold}.h2{font-size:13px;font-weight:bold}` +
    `.group{font-size:13px;font-weight:bold;fill:#333}.small{font-size:10.5px}</style>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...parts,
    `</svg>`,
    "",
  ].join("\n");
}
