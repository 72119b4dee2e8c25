/**
 * Request metrics in the Prometheus text exposition format (version 0.0.4), kept in memory:
 * a counter of requests by method, route and status, and a latency histogram by method and
 * route. Routes are the registered patterns ("/api/movies/:id"), never raw URLs, so the number
 * of series stays bounded whatever clients send.
 */

/** Histogram bucket upper bounds, in seconds. */
export const LATENCY_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
] as const;

interface Histogram {
  method: string;
  route: string;
  /** Cumulative counts are computed at exposition; these are per-bucket counts (+Inf last). */
  buckets: Float64Array;
  sum: number;
  count: number;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

export class RequestMetrics {
  private readonly counts = new Map<
    string,
    { method: string; route: string; status: number; n: number }
  >();
  private readonly histograms = new Map<string, Histogram>();
  private readonly started = Date.now();

  /** Record one finished request; `seconds` is its latency. */
  observe(method: string, route: string, status: number, seconds: number): void {
    const ck = `${method} ${route} ${status}`;
    const c = this.counts.get(ck);
    if (c) c.n++;
    else this.counts.set(ck, { method, route, status, n: 1 });
    const hk = `${method} ${route}`;
    let h = this.histograms.get(hk);
    if (!h) {
      h = {
        method,
        route,
        buckets: new Float64Array(LATENCY_BUCKETS.length + 1),
        sum: 0,
        count: 0,
      };
      this.histograms.set(hk, h);
    }
    let b = 0;
    while (b < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[b]) b++;
    h.buckets[b]++;
    h.sum += seconds;
    h.count++;
  }

  /** Total requests recorded for a route (all methods and statuses). */
  total(route?: string): number {
    let n = 0;
    for (const c of this.counts.values()) if (route === undefined || c.route === route) n += c.n;
    return n;
  }

  /** The Prometheus text exposition of every series. */
  render(): string {
    const lines: string[] = [];
    lines.push("# HELP cinerank_http_requests_total HTTP requests by method, route and status.");
    lines.push("# TYPE cinerank_http_requests_total counter");
    for (const c of this.counts.values()) {
      lines.push(
        `cinerank_http_requests_total{method="${escapeLabel(c.method)}",route="${escapeLabel(c.route)}",status="${c.status}"} ${c.n}`,
      );
    }
    lines.push("# HELP cinerank_http_request_duration_seconds HTTP request latency.");
    lines.push("# TYPE cinerank_http_request_duration_seconds histogram");
    for (const h of this.histograms.values()) {
      const labels = `method="${escapeLabel(h.method)}",route="${escapeLabel(h.route)}"`;
      let cum = 0;
      for (let b = 0; b < LATENCY_BUCKETS.length; b++) {
        cum += h.buckets[b];
        lines.push(
          `cinerank_http_request_duration_seconds_bucket{${labels},le="${LATENCY_BUCKETS[b]}"} ${cum}`,
        );
      }
      cum += h.buckets[LATENCY_BUCKETS.length];
      lines.push(`cinerank_http_request_duration_seconds_bucket{${labels},le="+Inf"} ${cum}`);
      lines.push(`cinerank_http_request_duration_seconds_sum{${labels}} ${h.sum}`);
      lines.push(`cinerank_http_request_duration_seconds_count{${labels}} ${h.count}`);
    }
    const mem = process.memoryUsage();
    lines.push("# HELP cinerank_process_resident_memory_bytes Resident set size.");
    lines.push("# TYPE cinerank_process_resident_memory_bytes gauge");
    lines.push(`cinerank_process_resident_memory_bytes ${mem.rss}`);
    lines.push("# HELP cinerank_process_uptime_seconds Seconds since the metrics were created.");
    lines.push("# TYPE cinerank_process_uptime_seconds gauge");
    lines.push(`cinerank_process_uptime_seconds ${(Date.now() - this.started) / 1000}`);
    return `${lines.join("\n")}\n`;
  }
}
