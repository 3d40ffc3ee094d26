import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { describe, expect, it } from "vitest";

import { AuthProvider } from "../auth/AuthContext";
import { Layout } from "./Layout";

function renderAt(path) {
  return render(
    <AuthProvider initialUser={null}>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route element={<Layout />}>
            <Route index element={<h1>Feed</h1>} />
            <Route path="search" element={<h1>Search page</h1>} />
          </Route>
        </Routes>
      </MemoryRouter>
    </AuthProvider>,
  );
}

describe("Layout", () => {
  it("keeps the browser's focus on the first load", () => {
    renderAt("/");
    expect(document.activeElement).toBe(document.body);
  });

  it("moves focus to the content after navigation", async () => {
    renderAt("/");

    await userEvent.click(screen.getByRole("link", { name: "Search" }));

    expect(screen.getByRole("heading", { name: "Search page" })).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByRole("main"));
  });

  it("offers sign-in to a signed-out visitor", () => {
    renderAt("/");
    expect(screen.getByRole("link", { name: "Sign in" }).getAttribute("href")).toBe("/sign-in");
    expect(screen.queryByRole("button", { name: "Sign out" })).toBeNull();
  });
});
