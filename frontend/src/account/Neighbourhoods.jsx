import { useState } from "react";

import {
  addNeighbourhood,
  confirmNeighbourhood,
  removeNeighbourhood,
  searchNeighbourhoods,
} from "../api/account";
import { formatDate } from "../format";
import { currentPosition } from "./geolocation";

// The accounts API allows two neighbourhoods a person (as Karrot does).
export const MAX_NEIGHBOURHOODS = 2;

/** Describes a membership's confirmation for the list. */
export function describeConfirmation(membership) {
  if (membership.is_confirmed) {
    return `Confirmed until ${formatDate(membership.confirmation_expires_at)}`;
  }
  if (membership.confirmed_at) {
    return "Confirmation expired; confirm it again";
  }
  return "Not confirmed yet";
}

function AddNeighbourhood({ memberships, onAdded }) {
  const [query, setQuery] = useState("");
  const [results, setResults] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const taken = new Set(memberships.map((membership) => membership.neighbourhood.id));

  async function search(event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setResults(await searchNeighbourhoods(query.trim()));
    } catch (failure) {
      setError(failure.userMessage);
    } finally {
      setBusy(false);
    }
  }

  async function add(neighbourhood) {
    setBusy(true);
    setError(null);
    try {
      onAdded(await addNeighbourhood(neighbourhood.id));
      setResults(null);
      setQuery("");
    } catch (failure) {
      setError(failure.userMessage);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="neighbourhood-add">
      <form className="search-row" onSubmit={search} role="search" aria-label="Find a neighbourhood">
        <label htmlFor="neighbourhood-query" className="visually-hidden">
          Neighbourhood name
        </label>
        <input
          id="neighbourhood-query"
          value={query}
          placeholder="Neighbourhood name"
          onChange={(event) => setQuery(event.target.value)}
        />
        <button type="submit" disabled={busy}>
          Find
        </button>
      </form>
      {error && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}
      {results !== null &&
        (results.length === 0 ? (
          <p className="hint">No neighbourhood matches “{query}”. Try part of the name.</p>
        ) : (
          <ul className="neighbourhood-results" aria-label="Matching neighbourhoods">
            {results.map((neighbourhood) => (
              <li key={neighbourhood.id}>
                <span>{neighbourhood.name}</span>
                <button
                  type="button"
                  onClick={() => add(neighbourhood)}
                  disabled={busy || taken.has(neighbourhood.id)}
                  aria-label={`Add ${neighbourhood.name}`}
                >
                  {taken.has(neighbourhood.id) ? "Added" : "Add"}
                </button>
              </li>
            ))}
          </ul>
        ))}
    </div>
  );
}

/**
 * Renders the user's neighbourhoods: add (at most two), confirm with the
 * browser's location, and remove. `onChange(memberships)` gets the new list.
 */
export function Neighbourhoods({ memberships, onChange, locate = currentPosition }) {
  const [pending, setPending] = useState(null);
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);

  async function confirm(membership) {
    const { id, name } = membership.neighbourhood;
    setPending(id);
    setError(null);
    setNotice(null);
    try {
      const position = await locate();
      const confirmed = await confirmNeighbourhood(id, position);
      onChange(memberships.map((item) => (item.neighbourhood.id === id ? confirmed : item)));
      setNotice(`${name} is confirmed.`);
    } catch (failure) {
      setError(failure.userMessage ?? `Confirming ${name} failed. Try again.`);
    } finally {
      setPending(null);
    }
  }

  async function remove(membership) {
    const { id, name } = membership.neighbourhood;
    setPending(id);
    setError(null);
    setNotice(null);
    try {
      await removeNeighbourhood(id);
      onChange(memberships.filter((item) => item.neighbourhood.id !== id));
      setNotice(`${name} is removed.`);
    } catch (failure) {
      setError(failure.userMessage ?? `Removing ${name} failed. Try again.`);
    } finally {
      setPending(null);
    }
  }

  return (
    <section className="neighbourhoods" aria-labelledby="neighbourhoods-heading">
      <h2 id="neighbourhoods-heading">Neighbourhoods</h2>
      <p className="field-help">
        You trade in up to {MAX_NEIGHBOURHOODS} neighbourhoods. Confirm each one with your location near
        its centre; others see only its name.
      </p>
      {memberships.length === 0 ? (
        <p className="hint">No neighbourhood yet.</p>
      ) : (
        <ul className="neighbourhood-list">
          {memberships.map((membership) => (
            <li key={membership.neighbourhood.id}>
              <div>
                <strong>{membership.neighbourhood.name}</strong>
                <p className="meta">{describeConfirmation(membership)}</p>
              </div>
              <div className="button-row">
                <button
                  type="button"
                  onClick={() => confirm(membership)}
                  disabled={pending !== null}
                  aria-label={`Confirm with my location (${membership.neighbourhood.name})`}
                >
                  {pending === membership.neighbourhood.id ? "Working…" : "Confirm with my location"}
                </button>
                <button
                  type="button"
                  onClick={() => remove(membership)}
                  disabled={pending !== null}
                  aria-label={`Remove ${membership.neighbourhood.name}`}
                >
                  Remove
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {notice && (
        <p className="hint" role="status">
          {notice}
        </p>
      )}
      {error && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}
      {memberships.length < MAX_NEIGHBOURHOODS ? (
        <AddNeighbourhood memberships={memberships} onAdded={(added) => onChange([...memberships, added])} />
      ) : (
        <p className="hint">You have the maximum of {MAX_NEIGHBOURHOODS}; remove one to add another.</p>
      )}
    </section>
  );
}
