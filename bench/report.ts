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

/** One row of the table, for one placement. */
export interface RowResult {
  id: string;
  kind: "bulk" | "pingpong";
  /** "ffi": our lib/ over Deno FFI; "builtin": Deno's own APIs, no FFI. */
  impl: "ffi" | "builtin";
  label: string;
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

/** One target of issue #7, checked on the pinned table. */
export interface TargetCheck {
  name: string;
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
  };
  placements: PlacementResult[];
  targets: TargetCheck[];
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

/** Check the issue's targets against the pinned table (if it was measured). */
export function checkTargets(report: Report): TargetCheck[] {
  const out: TargetCheck[] = [];
  const ratio = (id: string) => row(report, "pinned", id)?.ratio?.median ?? null;
  const atLeast = (name: string, goal: string, value: number | null, min: number) =>
    out.push({ name, goal, measured: value, met: value === null ? null : value >= min });
  atLeast("bulk pipe", "≥ 0.95 of C", ratio("bulk-pipe"), 0.95);
  atLeast("bulk FIFO", "≥ 0.95 of C", ratio("bulk-fifo"), 0.95);
  atLeast("bulk Unix socket", "≥ 0.95 of C", ratio("bulk-socket"), 0.95);
  const pp = ratio("pingpong-pipe");
  out.push({
    name: "pipe ping-pong",
    goal: "≤ 1.15× C's round trip",
    measured: pp,
    met: pp === null ? null : pp <= 1.15,
  });
  atLeast("bulk SysV shm", "1.0× C (≥ 0.95)", ratio("bulk-shm"), 0.95);
  atLeast("bulk file mapping", "1.0× C (≥ 0.95)", ratio("bulk-mmap"), 0.95);
  const ffi = row(report, "pinned", "bulk-pipe")?.deno.rounds;
  const builtin = row(report, "pinned", "bulk-builtin-pipe")?.deno.rounds;
  const speedup = ffi && builtin ? stat(ffi.map((v, i) => v / builtin[i])).median : null;
  atLeast("FFI pipe vs Deno.Command stream", "≥ 2× its throughput", speedup, 2);
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
      lines.push(`  ${pad(t.name, 34)}${pad(t.goal, 24)}measured ${pad(value, 8)}${verdict}`);
    }
  }
  return lines.join("\n");
}

// ---- SVG -----------------------------------------------------------------------

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A bar chart per placement and kind: C and Deno bars with min–max whiskers. */
export function formatSvg(report: Report): string {
  const width = 980, labelW = 330, barW = 520, bar = 13, rowH = 40, titleH = 34;
  const parts: string[] = [];
  let y = 40;
  parts.push(
    `<text x="16" y="24" class="h1">${
      esc(
        `ipc-lab bench: C (grey) vs Deno (blue: through FFI, orange: Deno built-in), ` +
          `median with min–max`,
      )
    }</text>`,
  );
  for (const p of report.placements) {
    for (const kind of ["bulk", "pingpong"] as const) {
      const rows = p.rows.filter((r) => r.kind === kind);
      if (rows.length === 0) continue;
      const max = Math.max(...rows.flatMap((r) => [r.deno.max, r.c?.max ?? 0]));
      const title = `${p.placement}${p.cpu === null ? "" : ` (CPU ${p.cpu})`}: ` +
        (kind === "bulk"
          ? "bulk throughput, GB/s (longer is better)"
          : "ping-pong round trip, µs (shorter is better)");
      parts.push(`<text x="16" y="${y + 20}" class="h2">${esc(title)}</text>`);
      y += titleH;
      for (const r of rows) {
        parts.push(
          `<text x="${labelW - 8}" y="${y + 17}" text-anchor="end">${
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
              `<text x="${labelW + 4}" y="${by + 11}" class="small">${
                esc(r.cNote ?? "n/a")
              }</text>`,
            );
            return;
          }
          const scale = (v: number) => labelW + (v / max) * barW;
          parts.push(
            `<rect x="${labelW}" y="${by}" width="${
              (scale(s.median) - labelW).toFixed(1)
            }" height="${bar}" fill="${color}"/>`,
            `<line x1="${scale(s.min).toFixed(1)}" x2="${scale(s.max).toFixed(1)}" y1="${
              by + bar / 2
            }" y2="${by + bar / 2}" stroke="#222" stroke-width="1.5"/>`,
            `<text x="${(scale(s.max) + 6).toFixed(1)}" y="${by + 11}" class="small">${
              num(s.median)
            }${i === 1 && r.ratio ? `  (${num(r.ratio.median)}× C)` : ""}</text>`,
          );
        });
        y += rowH;
      }
      y += 10;
    }
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${
      y + 10
    }" viewBox="0 0 ${width} ${y + 10}" font-family="sans-serif" font-size="13">`,
    `<style>.h1{font-size:15px;font-weight:bold}.h2{font-size:14px;font-weight:bold}.small{font-size:11px}</style>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...parts,
    `</svg>`,
    "",
  ].join("\n");
}
