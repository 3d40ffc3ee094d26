import { useEffect, useState } from "react";

import { applyTheme, readStoredTheme, storeTheme, systemTheme } from "./theme";

/**
 * A button that switches between light and dark and remembers the choice.
 * Until the user presses it, the page follows the system setting.
 */
export function ThemeToggle() {
  const [stored, setStored] = useState(() => readStoredTheme());
  const [system, setSystem] = useState(() => systemTheme());

  useEffect(() => {
    if (typeof window.matchMedia !== "function") {
      return undefined;
    }
    const query = window.matchMedia("(prefers-color-scheme: dark)");
    const onChange = (event) => setSystem(event.matches ? "dark" : "light");
    query.addEventListener?.("change", onChange);
    return () => query.removeEventListener?.("change", onChange);
  }, []);

  useEffect(() => {
    applyTheme(stored);
  }, [stored]);

  const current = stored ?? system;
  const next = current === "dark" ? "light" : "dark";

  function toggle() {
    storeTheme(next);
    setStored(next);
  }

  return (
    <button
      type="button"
      className="icon-button"
      onClick={toggle}
      aria-label={`Switch to the ${next} theme`}
      title={`Switch to the ${next} theme`}
    >
      <span aria-hidden="true">{current === "dark" ? "☀" : "☾"}</span>
    </button>
  );
}
