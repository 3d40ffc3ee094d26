import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router-dom";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { fetchFavorites, removeFavorite } from "../api/shop";
import { AuthProvider } from "../auth/AuthContext";
import { FavoritesPage } from "./FavoritesPage";

// The shop API is the network boundary of this unit.
vi.mock("../api/shop", () => ({ fetchFavorites: vi.fn(), removeFavorite: vi.fn() }));

function favorite(id, title, status = "active") {
  return {
    listing: { id, title, price: "15000.00", currency: "KRW", status, seller: "minji" },
    created_at: "2026-12-04T12:00:00Z",
  };
}

function renderPage(user = { username: "buyer" }) {
  return render(
    <AuthProvider initialUser={user}>
      <MemoryRouter initialEntries={["/favorites"]}>
        <FavoritesPage />
      </MemoryRouter>
    </AuthProvider>,
  );
}

describe("FavoritesPage", () => {
  beforeEach(() => {
    fetchFavorites.mockReset();
    removeFavorite.mockReset();
  });

  it("lists favorites with a sold mark", async () => {
    fetchFavorites.mockResolvedValue([favorite(1, "Galaxy S21"), favorite(2, "iPad mini 5", "sold")]);
    renderPage();

    expect((await screen.findByRole("link", { name: "Galaxy S21" })).getAttribute("href")).toBe("/listings/1");
    expect(screen.getByText("minji · sold")).toBeTruthy();
    expect(screen.getByText("minji")).toBeTruthy();
  });

  it("removes a favorite", async () => {
    fetchFavorites.mockResolvedValue([favorite(1, "Galaxy S21")]);
    removeFavorite.mockResolvedValue(undefined);
    renderPage();

    await userEvent.click(await screen.findByRole("button", { name: "Remove Galaxy S21 from your favorites" }));

    expect(removeFavorite).toHaveBeenCalledWith(1);
    expect(screen.queryByText("Galaxy S21")).toBeNull();
    expect(screen.getByText(/^No favorites yet\./)).toBeTruthy();
  });

  it("shows a failed removal", async () => {
    fetchFavorites.mockResolvedValue([favorite(1, "Galaxy S21")]);
    removeFavorite.mockRejectedValue(
      Object.assign(new Error("Request failed with status code 404"), { userMessage: "Listing 1 is not a favorite." }),
    );
    renderPage();

    await userEvent.click(await screen.findByRole("button", { name: "Remove Galaxy S21 from your favorites" }));

    expect((await screen.findByRole("alert")).textContent).toBe("Listing 1 is not a favorite.");
    expect(screen.getByText("Galaxy S21")).toBeTruthy();
  });

  it("asks a signed-out visitor to sign in", () => {
    renderPage(null);
    expect(screen.getByRole("link", { name: "Sign in" }).getAttribute("href")).toBe("/sign-in?next=%2Ffavorites");
    expect(fetchFavorites).not.toHaveBeenCalled();
  });
});
