import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router-dom";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { fetchFeedPage } from "../api/feed";
import { markNotInterested, unmarkNotInterested } from "../api/shop";
import { AuthProvider } from "../auth/AuthContext";
import { FeedPage } from "../pages/FeedPage";

// The feed and shop APIs are the network boundary of this unit.
vi.mock("../api/feed", () => ({ fetchFeedPage: vi.fn() }));
vi.mock("../api/shop", () => ({ markNotInterested: vi.fn(), unmarkNotInterested: vi.fn() }));

function feedItem(id, title) {
  return {
    key: id,
    reason: "Popular",
    listing: { id, title, price: "15000", currency: "KRW", condition: "good", status: "active" },
  };
}

function renderFeed(user = { username: "minji" }) {
  return render(
    <AuthProvider initialUser={user}>
      <MemoryRouter>
        <FeedPage />
      </MemoryRouter>
    </AuthProvider>,
  );
}

describe("not interested on the feed", () => {
  beforeEach(() => {
    fetchFeedPage.mockReset();
    markNotInterested.mockReset();
    unmarkNotInterested.mockReset();
    fetchFeedPage.mockResolvedValue({
      items: [feedItem(1, "Galaxy S21"), feedItem(2, "iPad mini 5")],
      next: null,
      strategy: "two_tower",
    });
  });

  it("removes the listing at once", async () => {
    let finish;
    markNotInterested.mockReturnValue(new Promise((resolve) => (finish = resolve)));
    renderFeed();

    await userEvent.click(await screen.findByRole("button", { name: "Not interested in Galaxy S21" }));

    expect(screen.queryByText("Galaxy S21", { selector: "h3" })).toBeNull();
    expect(screen.getByText("iPad mini 5")).toBeTruthy();
    expect(markNotInterested).toHaveBeenCalledWith(1);
    finish({ listing_id: 1, created: true });
    expect(await screen.findByText(/is hidden from your feed\./)).toBeTruthy();
  });

  it("brings the listing back on undo", async () => {
    markNotInterested.mockResolvedValue({ listing_id: 1, created: true });
    unmarkNotInterested.mockResolvedValue(undefined);
    renderFeed();

    await userEvent.click(await screen.findByRole("button", { name: "Not interested in Galaxy S21" }));
    await userEvent.click(screen.getByRole("button", { name: "Undo" }));

    expect(unmarkNotInterested).toHaveBeenCalledWith(1);
    expect(await screen.findByText("Galaxy S21", { selector: "h3" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Undo" })).toBeNull();
  });

  it("puts the listing back when the request fails", async () => {
    markNotInterested.mockRejectedValue(
      Object.assign(new Error("Request failed with status code 404"), {
        userMessage: "This item was not found. It may have been removed.",
      }),
    );
    renderFeed();

    await userEvent.click(await screen.findByRole("button", { name: "Not interested in Galaxy S21" }));

    expect((await screen.findByRole("alert")).textContent).toBe("This item was not found. It may have been removed.");
    expect(screen.getByText("Galaxy S21", { selector: "h3" })).toBeTruthy();
  });

  it("shows no button to a signed-out visitor", async () => {
    renderFeed(null);
    await screen.findByText("Galaxy S21");
    expect(screen.queryByRole("button", { name: /Not interested/ })).toBeNull();
  });
});
