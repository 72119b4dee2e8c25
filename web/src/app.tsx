/**
 * The app shell: top bar with the four pages as tabs, the server's health, and the current
 * page chosen from the URL (see lib/router.ts).
 */
import { DataPage } from "./pages/data-page.js";
import { ModelsPage } from "./pages/models-page.js";
import { RecommendationsPage } from "./pages/recommendations-page.js";
import { SimilarPage } from "./pages/similar-page.js";
import { api } from "./lib/api.js";
import { type PageId, routeHref, useRoute } from "./lib/router.js";
import { useAsync } from "./lib/use-async.js";

const NAV: { page: PageId; label: string }[] = [
  { page: "data", label: "Data & EDA" },
  { page: "models", label: "Models" },
  { page: "recommendations", label: "Recommendations" },
  { page: "similar", label: "Similar content" },
];

function HealthPill() {
  const health = useAsync(() => api.health(), []);
  if (health.error)
    return (
      <span className="health down" title={health.error.message}>
        API offline
      </span>
    );
  if (!health.data) return null;
  return (
    <span
      className={`health ${health.data.status}`}
      title={health.data.run ? `run ${health.data.run}` : undefined}
    >
      {health.data.status === "ok" ? `model: ${health.data.model ?? "–"}` : "loading models…"}
    </span>
  );
}

export function App() {
  const [route, navigate] = useRoute();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <a
            className="brand"
            href={routeHref("data")}
            onClick={(e) => {
              e.preventDefault();
              navigate("data");
            }}
          >
            <span className="logo" aria-hidden="true">
              ★
            </span>{" "}
            cinerank
          </a>
          <nav aria-label="Pages">
            <ul className="tabs">
              {NAV.map((n) => (
                <li key={n.page}>
                  <a
                    href={routeHref(n.page)}
                    aria-current={route.page === n.page ? "page" : undefined}
                    onClick={(e) => {
                      if (e.metaKey || e.ctrlKey || e.shiftKey) return;
                      e.preventDefault();
                      navigate(n.page);
                    }}
                  >
                    {n.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <HealthPill />
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {route.page === "data" && <DataPage />}
        {route.page === "models" && <ModelsPage />}
        {route.page === "recommendations" && (
          <RecommendationsPage route={route} navigate={navigate} />
        )}
        {route.page === "similar" && <SimilarPage route={route} navigate={navigate} />}
      </main>
      <footer className="footer">
        cinerank · MovieLens data by GroupLens Research · <a href="/docs">API docs</a>
      </footer>
    </>
  );
}
