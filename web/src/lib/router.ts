/**
 * Tiny URL router: the page and its selection live in the query string
 * (`/?page=recommendations&user=1`, `/?page=similar&movie=1&method=blended`), so any view can be
 * shared or reloaded and the server needs no fallback route — `/` serves every view.
 */
import { useCallback, useEffect, useState } from "react";

export const PAGES = ["data", "models", "recommendations", "similar"] as const;
export type PageId = (typeof PAGES)[number];

export interface Route {
  page: PageId;
  params: URLSearchParams;
}

function readRoute(): Route {
  const params = new URLSearchParams(window.location.search);
  const p = params.get("page");
  const page = (PAGES as readonly string[]).includes(p ?? "") ? (p as PageId) : "data";
  params.delete("page");
  return { page, params };
}

export function routeHref(
  page: PageId,
  params: Record<string, string | number | null | undefined> = {},
): string {
  const q = new URLSearchParams({ page });
  for (const [k, v] of Object.entries(params))
    if (v !== null && v !== undefined && v !== "") q.set(k, String(v));
  return `?${q.toString()}`;
}

export type Navigate = (
  page: PageId,
  params?: Record<string, string | number | null | undefined>,
  opts?: { replace?: boolean },
) => void;

export function useRoute(): [Route, Navigate] {
  const [route, setRoute] = useState<Route>(readRoute);
  useEffect(() => {
    const onPop = () => setRoute(readRoute());
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);
  const navigate = useCallback<Navigate>((page, params = {}, opts = {}) => {
    const href = routeHref(page, params);
    if (href === window.location.search) return;
    if (opts.replace) window.history.replaceState(null, "", href);
    else window.history.pushState(null, "", href);
    setRoute(readRoute());
  }, []);
  return [route, navigate];
}
