/**
 * A local stand-in for TMDB's image CDN in the browser tests (the tests have no internet): serves
 * a generated SVG poster for /poster/<movieId>.svg, so the metadata -> API -> web app path shows
 * real <img> posters in the screenshots. Loopback only.
 */
import { createServer, type Server } from "node:http";

export interface PosterServer {
  url: string;
  requests: number;
  close(): Promise<void>;
}

const escapeXml = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

function posterSvg(id: number, title: string): string {
  const hue = (id * 47) % 360;
  const words = escapeXml(title).split(" ");
  const lines: string[] = [];
  for (const w of words) {
    const last = lines.at(-1);
    if (last !== undefined && (last + w).length < 14) lines[lines.length - 1] = `${last} ${w}`;
    else lines.push(w);
  }
  const text = lines
    .slice(0, 4)
    .map(
      (l, i) =>
        `<text x="24" y="${330 + i * 34}" font-size="30" font-weight="800" fill="#fff">${l}</text>`,
    )
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 450" width="300" height="450">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue} 80% 60%)"/><stop offset="1" stop-color="hsl(${(hue + 60) % 360} 70% 18%)"/></linearGradient></defs>
<rect width="300" height="450" fill="url(#g)"/><circle cx="230" cy="90" r="120" fill="#fff" opacity=".12"/>
<text x="24" y="48" font-size="16" letter-spacing="4" fill="#fff" opacity=".8">TEST POSTER</text>${text}</svg>`;
}

export async function startPosterServer(titles: Map<number, string>): Promise<PosterServer> {
  const state = { requests: 0 };
  const server: Server = createServer((req, res) => {
    state.requests++;
    const id = Number(/^\/poster\/(\d+)\.svg$/.exec(req.url ?? "")?.[1]);
    const title = titles.get(id);
    if (!title) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "image/svg+xml", "cache-control": "max-age=3600" });
    res.end(posterSvg(id, title));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const a = server.address();
  const url = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
  return {
    url,
    get requests() {
      return state.requests;
    },
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
