import { useCallback, useEffect, useState } from "react";
import { useSearchParams } from "react-router-dom";

import { fetchListingPage } from "../api/listings";
import { InfiniteList } from "../components/InfiniteList";
import { ListingCard } from "../components/ListingCard";
import { CONDITION_LABELS } from "../format";
import { useCursorPages } from "../hooks/useCursorPages";
import { usePageTitle } from "../hooks/usePageTitle";
import { CONDITIONS, CURRENCIES } from "../sell/validation";

// The listings API rejects longer queries.
export const SEARCH_QUERY_MAX_LENGTH = 200;

const ORDERINGS = [
  ["", "Best match (with words) or newest"],
  ["newest", "Newest"],
  ["price", "Price: low to high"],
  ["-price", "Price: high to low"],
];

function draftFromParams(params) {
  return {
    q: params.get("q") ?? "",
    condition: params.getAll("condition"),
    min_price: params.get("min_price") ?? "",
    max_price: params.get("max_price") ?? "",
    currency: params.get("currency") ?? "",
    ordering: params.get("ordering") ?? "",
    // A category id and its name, set by a listing page's category link.
    category: params.get("category") ?? "",
    categoryName: params.get("category_name") ?? "",
  };
}

/** Returns the query string for `draft`, or an error message. */
export function buildSearchParams(draft) {
  const params = new URLSearchParams();
  const q = draft.q.trim().replace(/\s+/g, " ");
  if (q.length > SEARCH_QUERY_MAX_LENGTH) {
    return {
      error: `The search has ${q.length} characters; use at most ${SEARCH_QUERY_MAX_LENGTH}.`,
    };
  }
  if (q) {
    params.set("q", q);
  }

  for (const condition of draft.condition) {
    params.append("condition", condition);
  }
  for (const bound of ["min_price", "max_price"]) {
    const value = draft[bound].trim();
    if (value === "") {
      continue;
    }
    if (!/^\d+(\.\d+)?$/.test(value)) {
      return { error: `${bound} ${value} is not an amount; enter a number from 0.` };
    }
    params.set(bound, value);
  }

  const low = params.get("min_price");
  const high = params.get("max_price");
  if (low !== null && high !== null && Number(low) > Number(high)) {
    return { error: `max_price ${high} is below min_price ${low}; swap them.` };
  }

  if (draft.currency) {
    params.set("currency", draft.currency);
  }
  if (draft.category) {
    if (!/^\d+$/.test(draft.category)) {
      return { error: `category ${draft.category} is not a category id; remove the category filter.` };
    }
    params.set("category", draft.category);
    if (draft.categoryName) {
      params.set("category_name", draft.categoryName);
    }
  }
  if (draft.ordering) {
    params.set("ordering", draft.ordering);
  }
  return { params };
}

export function SearchPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const [draft, setDraft] = useState(() => draftFromParams(searchParams));
  const [formError, setFormError] = useState(null);
  const queryString = searchParams.toString();
  const q = searchParams.get("q");
  usePageTitle(q ? `Search: ${q}` : "Search");

  // Back and forward change the URL without a submit; the form follows it.
  useEffect(() => {
    setDraft(draftFromParams(new URLSearchParams(queryString)));
  }, [queryString]);

  const fetchPage = useCallback(
    (nextUrl, options) => fetchListingPage(new URLSearchParams(queryString), nextUrl, options),
    [queryString],
  );
  const pages = useCursorPages(fetchPage, queryString);

  function update(field, value) {
    setDraft((current) => ({ ...current, [field]: value }));
  }

  function toggleCondition(condition, checked) {
    setDraft((current) => ({
      ...current,
      condition: checked
        ? [...current.condition, condition]
        : current.condition.filter((item) => item !== condition),
    }));
  }

  function handleSubmit(event) {
    event.preventDefault();
    const { params, error } = buildSearchParams(draft);
    setFormError(error ?? null);
    if (params) {
      setSearchParams(params);
    }
  }

  return (
    <>
      <h1>Search</h1>
      <form className="search-form" role="search" onSubmit={handleSubmit} noValidate>
        <div className="search-row">
          <label htmlFor="search-q" className="visually-hidden">
            Search words
          </label>
          <input
            id="search-q"
            type="search"
            value={draft.q}
            onChange={(event) => update("q", event.target.value)}
            placeholder="Search listings, e.g. 맥북 or camera"
            maxLength={SEARCH_QUERY_MAX_LENGTH * 2}
          />
          <button type="submit">Search</button>
        </div>
        {draft.category && (
          <p className="chip-row">
            <span className="chip">In {draft.categoryName || `category ${draft.category}`}</span>
            <button
              type="button"
              className="link-button"
              onClick={() => setDraft((current) => ({ ...current, category: "", categoryName: "" }))}
            >
              Remove the category filter
            </button>
          </p>
        )}
        <details className="filters">
          <summary>Filters and sorting</summary>
          <fieldset>
            <legend>Condition</legend>
            {CONDITIONS.map((condition) => (
              <label key={condition} className="check">
                <input
                  type="checkbox"
                  checked={draft.condition.includes(condition)}
                  onChange={(event) => toggleCondition(condition, event.target.checked)}
                />
                {CONDITION_LABELS[condition]}
              </label>
            ))}
          </fieldset>
          <div className="field-row">
            <label>
              Min price
              <input
                inputMode="decimal"
                value={draft.min_price}
                onChange={(event) => update("min_price", event.target.value)}
              />
            </label>
            <label>
              Max price
              <input
                inputMode="decimal"
                value={draft.max_price}
                onChange={(event) => update("max_price", event.target.value)}
              />
            </label>
            <label>
              Currency
              <select value={draft.currency} onChange={(event) => update("currency", event.target.value)}>
                <option value="">Any</option>
                {Object.keys(CURRENCIES).map((code) => (
                  <option key={code} value={code}>
                    {code}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Sort by
              <select value={draft.ordering} onChange={(event) => update("ordering", event.target.value)}>
                {ORDERINGS.map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
            </label>
          </div>
        </details>
        {formError && (
          <p className="error-box" role="alert">
            {formError}
          </p>
        )}
      </form>
      <InfiniteList
        label="Search results"
        pages={pages}
        emptyMessage={
          q ? `No listings match “${q}”. Try fewer or other words.` : "No listings match these filters."
        }
        renderItem={(item) => <ListingCard key={item.key} listing={item.listing} />}
      />
    </>
  );
}
