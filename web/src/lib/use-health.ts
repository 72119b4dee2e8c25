/**
 * useHealth: the server's readiness. `cinerank serve` listens before its models are loaded
 * (/api/health answers 503 "loading" until then), so while it is loading or unreachable this
 * polls every two seconds; `generation` goes up when it becomes ready, which the app uses to
 * reload the page that was showing "still loading" errors.
 */
import { useEffect, useState } from "react";
import type { HealthResponse } from "../../../src/serve/api-types.js";
import { ApiRequestError, api } from "./api.js";

export type Health =
  | { state: "checking" }
  | { state: "ok"; info: HealthResponse }
  | { state: "loading" }
  | { state: "down"; message: string };

export function useHealth(): { health: Health; generation: number } {
  const [health, setHealth] = useState<Health>({ state: "checking" });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let stopped = false;
    let timer = 0;
    let wasReady = true; // the first answer decides; only a later recovery bumps the generation
    const check = async () => {
      let next: Health;
      try {
        next = { state: "ok", info: await api.health() };
      } catch (e) {
        next =
          e instanceof ApiRequestError && e.code === "ERR_LOADING"
            ? { state: "loading" }
            : { state: "down", message: (e as Error).message };
      }
      if (stopped) return;
      setHealth(next);
      if (next.state === "ok") {
        if (!wasReady) setGeneration((g) => g + 1);
        wasReady = true;
      } else {
        wasReady = false;
        timer = window.setTimeout(check, 2000);
      }
    };
    void check();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, []);
  return { health, generation };
}
