import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { THEME_STORAGE_KEY, readStoredTheme, storeTheme } from "./theme";
import { ThemeToggle } from "./ThemeToggle";

function mockSystemTheme(dark) {
  window.matchMedia = vi.fn().mockReturnValue({
    matches: dark,
    addEventListener: vi.fn(),
    removeEventListener: vi.fn(),
  });
}

describe("ThemeToggle", () => {
  it("follows the system until pressed", () => {
    mockSystemTheme(true);
    render(<ThemeToggle />);

    expect(screen.getByRole("button", { name: "Switch to the light theme" })).toBeTruthy();
    expect(document.documentElement.dataset.theme).toBeUndefined();
    expect(window.localStorage.getItem(THEME_STORAGE_KEY)).toBeNull();
  });

  it("stores the choice and applies it", async () => {
    mockSystemTheme(false);
    render(<ThemeToggle />);

    await userEvent.click(screen.getByRole("button", { name: "Switch to the dark theme" }));

    expect(window.localStorage.getItem(THEME_STORAGE_KEY)).toBe("dark");
    expect(document.documentElement.dataset.theme).toBe("dark");
    expect(screen.getByRole("button", { name: "Switch to the light theme" })).toBeTruthy();
  });

  it("restores a remembered choice over the system setting", () => {
    mockSystemTheme(true);
    window.localStorage.setItem(THEME_STORAGE_KEY, "light");

    render(<ThemeToggle />);

    expect(document.documentElement.dataset.theme).toBe("light");
    expect(screen.getByRole("button", { name: "Switch to the dark theme" })).toBeTruthy();
  });

  it("toggles back and forth and remembers the last choice", async () => {
    mockSystemTheme(false);
    const { unmount } = render(<ThemeToggle />);
    const button = screen.getByRole("button");

    await userEvent.click(button);
    await userEvent.click(button);
    unmount();
    render(<ThemeToggle />);

    expect(window.localStorage.getItem(THEME_STORAGE_KEY)).toBe("light");
    expect(document.documentElement.dataset.theme).toBe("light");
  });
});

describe("stored theme", () => {
  it("ignores a value that is not a theme", () => {
    window.localStorage.setItem(THEME_STORAGE_KEY, "purple");
    expect(readStoredTheme()).toBeNull();
  });

  it("survives blocked storage", () => {
    const blocked = {
      getItem: () => {
        throw new Error("SecurityError");
      },
      setItem: () => {
        throw new Error("SecurityError");
      },
    };
    expect(readStoredTheme(blocked)).toBeNull();
    expect(() => storeTheme("dark", blocked)).not.toThrow();
  });
});
