/**
 * The app shell: top bar with the four pages as tabs, the server's health, and the current
 * page chosen from the URL (see lib/router.ts).
 */
import { DataPage } from "./pages/data-page.js";
import { ModelsPage } from "./pages/models-page.js";
import { RecommendationsPage } from "./pages/recommendations-page.js";
import { SimilarPage } from "./pages/similar-page.js";
import { type PageId, routeHref, useRoute } from "./lib/router.js";
import { type Health, useHealth } from "./lib/use-health.js";

const NAV: { page: PageId; label: string }[] = [
  { page: "data", label: "Data & EDA" },
  { page: "models", label: "Models" },
  { page: "recommendations", label: "Recommendations" },
  { page: "similar", label: "Similar content" },
];

function HealthPill({ health }: { health: Health }) {
  if (health.state === "checking") return null;
  if (health.state === "down")
    return (
      <span className="health down" title={health.message}>
        API offline
      </span>
    );
  if (health.state === "loading") return <span className="health loading">loading models…</span>;
  return (
    <span className="health ok" title={health.info.run ? `run ${health.info.run}` : undefined}>
      model: {health.info.model ?? "–"}
    </span>
  );
}

export function App() {
  const [route, navigate] = useRoute();
  const { health, generation } = useHealth();
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
          <HealthPill health={health} />
        </div>
      </header>
      {health.state === "loading" && (
        <div className="banner" role="status">
          The server is loading its models; this page reloads its data as soon as they are ready.
        </div>
      )}
      {health.state === "down" && (
        <div className="banner down" role="status">
          {health.message} Retrying every few seconds…
        </div>
      )}
      <main id="main" tabIndex={-1} key={generation}>
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
