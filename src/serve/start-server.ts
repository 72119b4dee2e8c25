/**
 * Listening and shutting down. Binds to 127.0.0.1 unless told otherwise (the API has no
 * authentication beyond the optional key on the ratings route, so exposing it is a choice).
 * On SIGINT/SIGTERM the app stops accepting connections, lets in-flight requests finish, closes
 * the backend (store) and resolves `closed`; a second signal exits at once.
 */
import type { App } from "./build-app.js";

export interface ListenOptions {
  port?: number;
  host?: string;
}

export interface RunningServer {
  url: string;
  /** Resolves once the server has shut down (after a signal or `close()`). */
  closed: Promise<void>;
  close(): Promise<void>;
}

export async function startServer(app: App, opts: ListenOptions = {}): Promise<RunningServer> {
  const host = opts.host ?? "127.0.0.1";
  const url = await app.listen({ port: opts.port ?? 3000, host });
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => {
    resolveClosed = r;
  });
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    if (!closing) {
      closing = app.close().then(() => {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        resolveClosed();
      });
    }
    return closing;
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) {
      app.log.warn({ signal }, "second signal: exiting now");
      process.exit(130);
    }
    app.log.info({ signal }, "shutting down: finishing in-flight requests");
    void close();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return { url, closed, close };
}
