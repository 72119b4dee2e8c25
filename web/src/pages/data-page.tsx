/**
 * Data & EDA page: what the dataset looks like — overview cards, the rating distribution,
 * ratings per year, genre popularity and mean rating, how many ratings users give, and a
 * sample of raw interactions with links (and posters/overviews when metadata exists).
 */
import { useMemo, useState } from "react";
import type { StatsResponse } from "../../../src/serve/api-types.js";
import { Chart, type ChartOption } from "../components/chart.js";
import { GenreChips, MovieLinks } from "../components/movie-card.js";
import { Poster } from "../components/poster.js";
import { ErrorMessage, Loading } from "../components/status.js";
import { api } from "../lib/api.js";
import { displayTitle, formatDate, formatInt, formatPct } from "../lib/format.js";
import { useAsync } from "../lib/use-async.js";

function StatCard({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className="stat-card">
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {hint && <div className="stat-hint">{hint}</div>}
    </div>
  );
}

const axisLabel = { color: "#64748b" };
const splitLine = { lineStyle: { color: "#eef2f7" } };

function barOption(
  labels: string[],
  values: number[],
  opts: { color?: string; name: string },
): ChartOption {
  return {
    grid: { left: 56, right: 16, top: 16, bottom: 36 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: labels, axisLabel, axisTick: { alignWithLabel: true } },
    yAxis: { type: "value", axisLabel, splitLine },
    series: [
      {
        type: "bar",
        name: opts.name,
        data: values,
        itemStyle: { color: opts.color, borderRadius: [4, 4, 0, 0] },
      },
    ],
  };
}

function genreOptions(stats: StatsResponse): { popularity: ChartOption; quality: ChartOption } {
  const g = [...stats.genres].sort((a, b) => a.ratings - b.ratings);
  const names = g.map((x) => x.genre);
  const popularity: ChartOption = {
    grid: { left: 110, right: 24, top: 8, bottom: 28 },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    xAxis: { type: "value", axisLabel, splitLine },
    yAxis: { type: "category", data: names, axisLabel: { ...axisLabel, fontSize: 11 } },
    series: [
      {
        type: "bar",
        name: "Ratings",
        data: g.map((x) => x.ratings),
        itemStyle: { color: "#4f46e5", borderRadius: [0, 4, 4, 0] },
      },
    ],
  };
  const means = g.map((x) => x.meanRating);
  const lo = Math.floor(Math.min(...means) * 4) / 4 - 0.25;
  const quality: ChartOption = {
    grid: { left: 110, right: 24, top: 26, bottom: 28 },
    tooltip: {
      trigger: "axis",
      axisPointer: { type: "shadow" },
      valueFormatter: (v: number) => v.toFixed(2),
    },
    xAxis: { type: "value", min: Math.max(0, lo), max: 5, axisLabel, splitLine },
    yAxis: { type: "category", data: names, axisLabel: { ...axisLabel, fontSize: 11 } },
    series: [
      {
        type: "bar",
        name: "Mean rating",
        data: means,
        itemStyle: { color: "#f59e0b", borderRadius: [0, 4, 4, 0] },
        markLine: {
          silent: true,
          symbol: "none",
          label: { formatter: `overall ${stats.meanRating.toFixed(2)}`, color: "#475569" },
          lineStyle: { color: "#475569", type: "dashed" },
          data: [{ xAxis: stats.meanRating }],
        },
      },
    ],
  };
  return { popularity, quality };
}

/** The median from a quantile record, whichever naming the server uses (p50, 0.5, median). */
function median(q: Record<string, number>): number {
  return q.p50 ?? q["0.5"] ?? q.median ?? Number.NaN;
}

function QuantileTable({ q }: { q: StatsResponse["quantiles"] }) {
  const keys = Object.keys(q.ratingsPerUser);
  if (keys.length === 0) return null;
  const label = (k: string) => (/^0?\.\d+$/.test(k) ? `p${Math.round(Number(k) * 100)}` : k);
  return (
    <div className="table-wrap">
      <table className="table compact quantiles" data-testid="quantiles">
        <caption className="sr-only">Quantiles of ratings per user and per movie</caption>
        <thead>
          <tr>
            <th scope="col">Ratings</th>
            {keys.map((k) => (
              <th scope="col" className="num" key={k}>
                {label(k)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {(
            [
              ["per user", q.ratingsPerUser],
              ["per movie", q.ratingsPerMovie],
            ] as const
          ).map(([name, row]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              {keys.map((k) => (
                <td className="num" key={k}>
                  {row[k] === undefined ? "–" : formatInt(row[k])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Overview({ stats }: { stats: StatsResponse }) {
  const charts = useMemo(() => {
    const h = stats.ratingHistogram;
    const y = stats.ratingsPerYear;
    const u = stats.ratingsPerUser;
    return {
      ratings: barOption(
        h.map((b) => b.label),
        h.map((b) => b.count),
        { name: "Ratings", color: "#4f46e5" },
      ),
      years: {
        grid: { left: 56, right: 16, top: 16, bottom: 36 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: y.map((b) => b.label), axisLabel, boundaryGap: false },
        yAxis: { type: "value", axisLabel, splitLine },
        series: [
          {
            type: "line",
            name: "Ratings",
            data: y.map((b) => b.count),
            smooth: 0.25,
            symbolSize: 5,
            areaStyle: { color: "rgba(16,185,129,0.15)" },
            lineStyle: { color: "#10b981", width: 2 },
            itemStyle: { color: "#10b981" },
          },
        ],
      } satisfies ChartOption,
      users: barOption(
        u.map((b) => b.label),
        u.map((b) => b.count),
        { name: "Users", color: "#0ea5e9" },
      ),
      ...genreOptions(stats),
    };
  }, [stats]);

  const q = stats.quantiles;
  return (
    <>
      <section className="stat-grid" aria-label="Dataset overview">
        <StatCard label="Users" value={formatInt(stats.users)} />
        <StatCard label="Movies" value={formatInt(stats.movies)} />
        <StatCard
          label="Ratings"
          value={formatInt(stats.ratings)}
          hint={`${formatPct(1 - stats.sparsity, 2)} of the matrix filled`}
        />
        <StatCard
          label="Average rating"
          value={stats.meanRating.toFixed(2)}
          hint="on a 0.5–5 scale"
        />
        <StatCard
          label="Like rate"
          value={formatPct(stats.likeRate)}
          hint={`rating ≥ ${stats.threshold}`}
        />
      </section>

      <div className="grid-2">
        <section className="panel">
          <h2>Rating distribution</h2>
          <p className="panel-sub">How often each half-star value is given</p>
          <Chart
            option={charts.ratings}
            label="Bar chart of the number of ratings per rating value"
          />
        </section>
        <section className="panel">
          <h2>Ratings per year</h2>
          <p className="panel-sub">When the ratings were made</p>
          <Chart option={charts.years} label="Line chart of the number of ratings per year" />
        </section>
        <section className="panel">
          <h2>Genre popularity</h2>
          <p className="panel-sub">Ratings per genre (a movie counts for each of its genres)</p>
          <Chart option={charts.popularity} height={420} label="Bar chart of ratings per genre" />
        </section>
        <section className="panel">
          <h2>Genre mean rating</h2>
          <p className="panel-sub">Average rating of each genre's movies</p>
          <Chart
            option={charts.quality}
            height={420}
            label="Bar chart of the mean rating per genre"
          />
        </section>
        <section className="panel span-2">
          <h2>Ratings per user</h2>
          <p className="panel-sub">
            Most users rate a few dozen movies; a few rate thousands. Median{" "}
            {formatInt(median(q.ratingsPerUser))} ratings per user,{" "}
            {formatInt(median(q.ratingsPerMovie))} per movie.
          </p>
          <Chart
            option={charts.users}
            label="Bar chart of how many users gave each number of ratings"
          />
          <QuantileTable q={q} />
        </section>
      </div>
    </>
  );
}

function SampleInteractions() {
  const [seed, setSeed] = useState(0);
  const sample = useAsync(() => api.interactions(12), [seed]);
  return (
    <section className="panel">
      <div className="panel-head">
        <div>
          <h2>Sample interactions</h2>
          <p className="panel-sub">A random handful of ratings, as users made them</p>
        </div>
        <button
          type="button"
          className="btn secondary"
          onClick={() => setSeed((s) => s + 1)}
          disabled={sample.loading}
        >
          Another sample
        </button>
      </div>
      {sample.error && (
        <ErrorMessage
          error={sample.error}
          onRetry={sample.reload}
          title="Could not load interactions"
        />
      )}
      {sample.loading && !sample.data && <Loading />}
      {sample.data && (
        <div className="table-wrap">
          <table className="table interactions" data-testid="interactions">
            <thead>
              <tr>
                <th scope="col">Movie</th>
                <th scope="col">Genres</th>
                <th scope="col" className="num">
                  Rating
                </th>
                <th scope="col">User</th>
                <th scope="col">Date</th>
              </tr>
            </thead>
            <tbody>
              {sample.data.items.map((it) => (
                <tr key={`${it.userId}-${it.movieId}-${it.timestamp}`}>
                  <td>
                    <div className="movie-cell">
                      <Poster
                        size="sm"
                        title={it.title}
                        genres={it.genres}
                        posterUrl={it.posterUrl}
                      />
                      <div>
                        <div className="strong">
                          {displayTitle(it.title)}
                          {it.year !== null && <span className="year"> {it.year}</span>}
                        </div>
                        {it.overview && <div className="muted small clamp-2">{it.overview}</div>}
                        <MovieLinks movie={it} />
                      </div>
                    </div>
                  </td>
                  <td>
                    <GenreChips genres={it.genres} max={3} />
                  </td>
                  <td className="num">
                    <span className={`rating-pill ${it.rating >= 3.5 ? "like" : "dislike"}`}>
                      ★ {it.rating.toFixed(1)}
                    </span>
                  </td>
                  <td>#{it.userId}</td>
                  <td className="nowrap">{formatDate(it.timestamp)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function DataPage() {
  const stats = useAsync(() => api.stats(), []);
  return (
    <div className="page" data-testid="page-data">
      <header className="page-head">
        <h1>Data &amp; EDA</h1>
        <p className="lead">
          {stats.data ? (
            <>
              The <strong>{stats.data.release}</strong> ratings: who rated what, how, and when.
            </>
          ) : (
            "The dataset behind the models: who rated what, how, and when."
          )}
        </p>
      </header>
      {stats.error && (
        <ErrorMessage
          error={stats.error}
          onRetry={stats.reload}
          title="Could not load the dataset overview"
        />
      )}
      {stats.loading && <Loading label="Loading dataset statistics…" />}
      {stats.data && <Overview stats={stats.data} />}
      <SampleInteractions />
    </div>
  );
}
