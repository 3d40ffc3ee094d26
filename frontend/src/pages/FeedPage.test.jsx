import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router-dom";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { fetchFeedPage } from "../api/feed";
import { AuthProvider } from "../auth/AuthContext";
import { FeedPage } from "./FeedPage";

// The feed API is the network boundary of this unit.
vi.mock("../api/feed", () => ({ fetchFeedPage: vi.fn() }));

function feedItem(id, title, reason) {
  return {
    key: id,
    reason,
    score: 0.5,
    listing: { id, title, price: "15000", currency: "KRW", condition: "good", status: "active" },
  };
}

function renderFeed(user = null) {
  return render(
    <AuthProvider initialUser={user}>
      <MemoryRouter>
        <FeedPage />
      </MemoryRouter>
    </AuthProvider>,
  );
}

describe("FeedPage", () => {
  beforeEach(() => {
    fetchFeedPage.mockReset();
  });

  it("shows each listing with its reason", async () => {
    fetchFeedPage.mockResolvedValue({
      items: [feedItem(1, "아이패드 미니 5", "Similar to Apple iPad Air")],
      next: null,
      strategy: "two_tower",
    });
    renderFeed({ username: "minji" });

    expect(await screen.findByText("아이패드 미니 5")).toBeTruthy();
    expect(screen.getByText("Similar to Apple iPad Air")).toBeTruthy();
    expect(screen.getByText("You have reached the end.")).toBeTruthy();
    expect(screen.queryByText(/Sign in/)).toBeNull();
  });

  it("shows the empty state of a new feed", async () => {
    fetchFeedPage.mockResolvedValue({ items: [], next: null, strategy: "popularity" });
    renderFeed();

    expect(
      await screen.findByText("Nothing to show yet. New listings appear here as sellers add them."),
    ).toBeTruthy();
    expect(screen.getByRole("link", { name: "Sign in" }).getAttribute("href")).toBe("/sign-in");
  });

  it("shows the error and retries on request", async () => {
    fetchFeedPage
      .mockRejectedValueOnce(
        Object.assign(new Error("Network Error"), {
          userMessage: "The server could not be reached. Check your connection and try again.",
        }),
      )
      .mockResolvedValueOnce({ items: [feedItem(2, "Galaxy S21", "Popular")], next: null });
    renderFeed();

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("The server could not be reached.");
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));

    expect(await screen.findByText("Galaxy S21")).toBeTruthy();
    expect(fetchFeedPage.mock.calls.map((call) => call[0])).toEqual([null, null]);
  });

  it("offers the next page by button as well as by scrolling", async () => {
    fetchFeedPage
      .mockResolvedValueOnce({ items: [feedItem(1, "첫 번째", "Popular")], next: "/api/v1/feed/?cursor=c2" })
      .mockResolvedValueOnce({ items: [feedItem(2, "두 번째", "Popular")], next: null });
    renderFeed();

    await userEvent.click(await screen.findByRole("button", { name: "Load more" }));

    expect(await screen.findByText("두 번째")).toBeTruthy();
    expect(fetchFeedPage.mock.calls[1][0]).toBe("/api/v1/feed/?cursor=c2");
  });
});
