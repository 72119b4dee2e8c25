/**
 * httpLoad: closed-loop HTTP load on one GET route with a random user per request, from
 * autocannon (in this process) or wrk (a C load generator in a child process; Debian package
 * `wrk`, installed when missing). The issue allows either; wrk spends less CPU per request, which
 * matters on a 2-core machine where the load generator shares the cores with the server. Both
 * report the same numbers, including the generator's own CPU seconds.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";

export type LoadGenerator = "autocannon" | "wrk";

export interface LoadOptions {
  url: string;
  /** Path for a user id, e.g. (u) => `/api/users/${u}/recommendations?k=10`. */
  path: (user: number) => string;
  users: readonly number[];
  /** Uniform in [0, 1): picks the user of each request (autocannon side). */
  random: () => number;
  connections: number;
  seconds: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  total: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  /** CPU seconds (user + system) of the load generator during the run. */
  generatorCpu: number;
}

export async function httpLoad(tool: LoadGenerator, o: LoadOptions): Promise<LoadResult> {
  return tool === "wrk" ? wrkLoad(o) : autocannonLoad(o);
}

async function autocannonLoad(o: LoadOptions): Promise<LoadResult> {
  const requests = [
    {
      method: "GET" as const,
      setupRequest: (req: { path?: string }) => {
        req.path = o.path(o.users[Math.floor(o.random() * o.users.length)]);
        return req;
      },
    },
  ];
  const cpu0 = process.cpuUsage();
  const r = await autocannon({
    url: o.url,
    connections: o.connections,
    duration: o.seconds,
    requests,
  });
  const cpu = process.cpuUsage(cpu0);
  return {
    requestsPerSecond: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    total: r.requests.total,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    generatorCpu: (cpu.user + cpu.system) / 1e6,
  };
}

function ensureWrk(): void {
  if (spawnSync("sh", ["-c", "command -v wrk"]).status === 0) return;
  process.stderr.write("bench:api: installing wrk (apt-get)...\n");
  spawnSync("sh", ["-c", "apt-get install -y -qq wrk >/dev/null 2>&1"], { stdio: "inherit" });
  if (spawnSync("sh", ["-c", "command -v wrk"]).status !== 0)
    throw new Error("wrk is not installed and apt-get could not install it");
}

/**
 * wrk with a Lua script that picks a user per request and prints the summary as one JSON line;
 * the shell's `times` gives wrk's CPU seconds (its children's user and system time).
 */
async function wrkLoad(o: LoadOptions): Promise<LoadResult> {
  ensureWrk();
  const dir = mkdtempSync(join(tmpdir(), "cinerank-wrk-"));
  const script = join(dir, "load.lua");
  // Paths of every user, written out: the script only picks one at random per request.
  const paths = o.users.map((u) => JSON.stringify(o.path(u))).join(",\n");
  writeFileSync(
    script,
    `math.randomseed(${Math.floor(o.random() * 1e9)})
local paths = {
${paths}
}
request = function()
  return wrk.format("GET", paths[math.random(1, #paths)])
end
done = function(s, latency, requests)
  local e = s.errors
  io.write(string.format(
    "WRK-JSON {\\"requests\\":%d,\\"seconds\\":%.6f,\\"p50\\":%.3f,\\"p99\\":%.3f,\\"connect\\":%d,\\"read\\":%d,\\"write\\":%d,\\"status\\":%d,\\"timeout\\":%d}\\n",
    s.requests, s.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect, e.read, e.write, e.status, e.timeout))
end
`,
  );
  try {
    const cmd = `wrk -t1 -c${o.connections} -d${o.seconds}s --timeout 10s -s '${script}' '${o.url}' && times`;
    const out = await new Promise<string>((res, rej) => {
      const child = spawn("sh", ["-c", cmd], { stdio: ["ignore", "pipe", "inherit"] });
      let text = "";
      child.stdout.on("data", (d) => {
        text += d;
      });
      child.on("error", rej);
      child.on("exit", (code) => (code === 0 ? res(text) : rej(new Error(`wrk exited ${code}`))));
    });
    const line = out.split("\n").find((l) => l.startsWith("WRK-JSON "));
    if (!line) throw new Error(`no summary from wrk:\n${out}`);
    const s = JSON.parse(line.slice("WRK-JSON ".length));
    // `times` prints the shell's own times, then its children's: "0m0.11s 0m0.19s".
    const child = out.trim().split("\n").at(-1) ?? "";
    const secs = [...child.matchAll(/(\d+)m([\d.]+)s/g)].map(
      (m) => Number(m[1]) * 60 + Number(m[2]),
    );
    return {
      requestsPerSecond: s.requests / s.seconds,
      p50: s.p50,
      p99: s.p99,
      total: s.requests,
      errors: s.connect + s.read + s.write,
      timeouts: s.timeout,
      non2xx: s.status,
      generatorCpu: secs.length === 2 ? secs[0] + secs[1] : Number.NaN,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
