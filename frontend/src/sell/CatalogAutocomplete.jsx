import { useEffect, useId, useRef, useState } from "react";

import { searchCatalog } from "../api/catalog";

export const MIN_QUERY_LENGTH = 2;
export const DEBOUNCE_MS = 300;

/**
 * Renders a combobox over the catalog search. Choosing a product calls
 * `onSelect(product)` with the API's suggestion (title, category,
 * suggested_price, ...).
 */
export function CatalogAutocomplete({ onSelect }) {
  const inputId = useId();
  const listId = useId();
  const [query, setQuery] = useState("");
  const [products, setProducts] = useState([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [status, setStatus] = useState("idle");
  const [error, setError] = useState(null);
  // The title of the chosen product fills the input; it is not a new search.
  const chosenTitleRef = useRef(null);

  useEffect(() => {
    const words = query.trim();
    if (words.length < MIN_QUERY_LENGTH || query === chosenTitleRef.current) {
      setProducts([]);
      setStatus("idle");
      return undefined;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      setStatus("loading");
      searchCatalog(words, { signal: controller.signal })
        .then((found) => {
          setProducts(found);
          setActive(-1);
          setStatus("ready");
          setError(null);
        })
        .catch((failure) => {
          if (!controller.signal.aborted) {
            setProducts([]);
            setStatus("error");
            setError(failure.userMessage);
          }
        });
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [query]);

  function choose(product) {
    chosenTitleRef.current = product.title;
    onSelect(product);
    setQuery(product.title);
    setOpen(false);
    setProducts([]);
  }

  function handleKeyDown(event) {
    if (!open || products.length === 0) {
      return;
    }
    if (event.key === "ArrowDown") {
      event.preventDefault();
      setActive((index) => (index + 1) % products.length);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      setActive((index) => (index <= 0 ? products.length - 1 : index - 1));
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      choose(products[active]);
    } else if (event.key === "Escape") {
      setOpen(false);
    }
  }

  const expanded = open && products.length > 0;
  return (
    <div className="autocomplete">
      <label htmlFor={inputId}>Find the product in the catalog (optional)</label>
      <input
        id={inputId}
        role="combobox"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={expanded && active >= 0 ? `${listId}-${active}` : undefined}
        value={query}
        onChange={(event) => {
          setQuery(event.target.value);
          setOpen(true);
        }}
        onKeyDown={handleKeyDown}
        placeholder="e.g. Sony headphones"
        autoComplete="off"
      />
      <p className="field-help" aria-live="polite">
        {status === "loading" && "Searching the catalog…"}
        {status === "ready" && products.length === 0 && "No catalog product matches; fill in the form yourself."}
        {status === "error" && error}
      </p>
      <ul id={listId} role="listbox" className="suggestions" hidden={!expanded}>
        {products.map((product, index) => (
          <li
            key={product.parent_asin}
            id={`${listId}-${index}`}
            role="option"
            aria-selected={index === active}
            className={index === active ? "active" : undefined}
            onMouseDown={(event) => {
              event.preventDefault();
              choose(product);
            }}
          >
            <span className="suggestion-title">{product.title}</span>
            {product.suggested_price && (
              <span className="suggestion-price">
                {" "}
                · suggested {product.suggested_price} {product.suggested_currency}
              </span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
