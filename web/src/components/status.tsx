/** Loading, error and empty states shared by every page (API errors are shown, never swallowed). */
import type { ReactNode } from "react";
import { ApiRequestError } from "../lib/api.js";

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function ErrorMessage({
  error,
  onRetry,
  title,
}: {
  error: Error;
  onRetry?: () => void;
  title?: string;
}) {
  const code = error instanceof ApiRequestError ? error.code : null;
  return (
    <div className="error-box" role="alert">
      <div>
        <strong>{title ?? "Something went wrong"}</strong>
        <p>{error.message}</p>
        {code && <p className="muted small">Code: {code}</p>}
      </div>
      {onRetry && (
        <button type="button" className="btn secondary" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}
