import { Spinner } from "../components/Spinner";

/** Renders the loading, error and empty states of a `useLoaded` list. */
export function LoadedList({ list, loadingLabel, emptyMessage, className, children }) {
  if (list.status === "loading") {
    return <Spinner label={loadingLabel} />;
  }
  if (list.status === "error") {
    return (
      <div className="error-box" role="alert">
        <p>{list.error}</p>
        <button type="button" onClick={() => list.reload()}>
          Try again
        </button>
      </div>
    );
  }
  if (list.items.length === 0) {
    return <p className="empty-state">{emptyMessage}</p>;
  }
  return <ul className={className}>{list.items.map(children)}</ul>;
}
