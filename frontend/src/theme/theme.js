// The chosen theme is stored under this key; without a stored choice the
// page follows the system's prefers-color-scheme.
export const THEME_STORAGE_KEY = "marketplace.theme";
export const THEMES = ["light", "dark"];

export function readStoredTheme(storage = window.localStorage) {
  try {
    const value = storage.getItem(THEME_STORAGE_KEY);
    return THEMES.includes(value) ? value : null;
  } catch {
    // Storage is blocked (private mode, disabled cookies): follow the system.
    return null;
  }
}

export function storeTheme(theme, storage = window.localStorage) {
  try {
    if (theme === null) {
      storage.removeItem(THEME_STORAGE_KEY);
    } else {
      storage.setItem(THEME_STORAGE_KEY, theme);
    }
  } catch {
    // The choice then lasts until the page is reloaded.
  }
}

export function systemTheme(matchMedia = window.matchMedia) {
  if (typeof matchMedia !== "function") {
    return "light";
  }
  return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

/** Sets `data-theme` on <html>, which styles.css reads; null follows the system. */
export function applyTheme(theme, root = document.documentElement) {
  if (theme === null) {
    delete root.dataset.theme;
  } else {
    root.dataset.theme = theme;
  }
}
