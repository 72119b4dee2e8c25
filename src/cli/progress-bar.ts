/**
 * The CLI's rendering of ProgressEvents: a bar per stage on a terminal (cli-progress), plain
 * periodic lines otherwise (CI logs, pipes), nothing with --quiet. Output goes to stderr so that
 * --json on stdout stays machine-readable.
 */
import cliProgress from "cli-progress";
import type { ProgressEvent, ProgressReporter } from "../core/index.js";

export interface ProgressOptions {
  quiet?: boolean;
  /** Force line mode (default: line mode when stderr is not a TTY). */
  lines?: boolean;
  /** Minimum milliseconds between two line-mode messages of one stage. */
  intervalMs?: number;
}

function fmt(n: number, unit?: string): string {
  if (unit === "bytes") {
    if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GiB`;
    if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
    if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(0)} KiB`;
    return `${n} B`;
  }
  return n.toLocaleString("en-US");
}

export interface CliProgress {
  report: ProgressReporter;
  /** Stop every bar (call before printing results). */
  stop(): void;
}

export function createProgress(opts: ProgressOptions = {}): CliProgress {
  if (opts.quiet) return { report: () => {}, stop: () => {} };
  const lineMode = opts.lines ?? !process.stderr.isTTY;
  const interval = opts.intervalMs ?? 2000;
  if (lineMode) {
    const last = new Map<string, number>();
    const started = new Map<string, number>();
    return {
      report(e: ProgressEvent) {
        const now = Date.now();
        if (!started.has(e.stage)) started.set(e.stage, now);
        const finished = e.total !== undefined && e.done >= e.total;
        const prev = last.get(e.stage);
        if (!finished && prev !== undefined && now - prev < interval) return;
        if (finished && prev === -1) return;
        last.set(e.stage, finished ? -1 : now);
        const secs = ((now - (started.get(e.stage) ?? now)) / 1000).toFixed(1);
        const of = e.total !== undefined ? ` / ${fmt(e.total, e.unit)}` : "";
        const pct = e.total ? ` (${((100 * e.done) / e.total).toFixed(0)}%)` : "";
        const msg = e.message ? ` ${e.message}` : "";
        process.stderr.write(
          `[${e.stage}] ${fmt(e.done, e.unit)}${of}${e.unit && e.unit !== "bytes" ? ` ${e.unit}` : ""}${pct}${msg} ${secs}s\n`,
        );
      },
      stop() {},
    };
  }
  const multi = new cliProgress.MultiBar(
    {
      format:
        " {stage} |{bar}| {percentage}% | {value}/{total} {unit} | {duration_formatted} elapsed | ETA {eta_formatted} {message}",
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      stream: process.stderr,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  return {
    report(e: ProgressEvent) {
      let bar = bars.get(e.stage);
      const total = e.total ?? Math.max(e.done, 1);
      const payload = { stage: e.stage.padEnd(16), unit: e.unit ?? "", message: e.message ?? "" };
      if (!bar) {
        bar = multi.create(total, e.done, payload);
        bars.set(e.stage, bar);
      } else {
        bar.setTotal(total);
        bar.update(e.done, payload);
      }
    },
    stop() {
      multi.stop();
    },
  };
}
