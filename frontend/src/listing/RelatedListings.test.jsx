import { render, screen, within } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { fetchRelatedListings } from "../api/related";
import { RelatedListings, STRIP_SIZE } from "./RelatedListings";

// The listings API is the network boundary of this unit.
vi.mock("../api/related", () => ({ fetchRelatedListings: vi.fn() }));

const LISTING = {
  id: 61,
  seller: "민지",
  category: 42,
  category_path: "Electronics > Stands",
};

function listing(id, title) {
  return { id, title, price: "30000", currency: "KRW", condition: "good", status: "active" };
}

function renderStrips() {
  return render(
    <MemoryRouter>
      <RelatedListings listing={LISTING} searchPath="/search?category=42" />
    </MemoryRouter>,
  );
}

describe("RelatedListings", () => {
  beforeEach(() => {
    fetchRelatedListings.mockReset();
  });

  it("shows similar listings in order and the seller's others", async () => {
    fetchRelatedListings.mockResolvedValue({
      similar: [listing(70, "노트북 거치대"), listing(71, "모니터 암")],
      seller_listings: [listing(80, "맥북 충전기")],
    });
    renderStrips();

    const similar = await screen.findByRole("region", { name: "Similar listings" });
    expect(within(similar).getAllByRole("heading", { level: 3 }).map((h) => h.textContent)).toEqual([
      "노트북 거치대",
      "모니터 암",
    ]);
    expect(within(similar).getByRole("link", { name: "See all in Stands" }).getAttribute("href")).toBe(
      "/search?category=42",
    );
    const seller = screen.getByRole("region", { name: "More from 민지" });
    expect(within(seller).getByText("맥북 충전기")).toBeTruthy();
    expect(fetchRelatedListings.mock.calls[0][0]).toBe(61);
  });

  it("shows at most one strip's worth of each", async () => {
    fetchRelatedListings.mockResolvedValue({
      similar: Array.from({ length: 8 }, (_, i) => listing(100 + i, `거치대 ${i}`)),
      seller_listings: [],
    });
    renderStrips();

    const similar = await screen.findByRole("region", { name: "Similar listings" });
    expect(within(similar).getAllByRole("listitem")).toHaveLength(STRIP_SIZE);
    expect(screen.queryByRole("region", { name: "More from 민지" })).toBeNull();
  });

  it("renders nothing while loading or when both lists are empty", async () => {
    fetchRelatedListings.mockReturnValue(new Promise(() => {}));
    const loading = renderStrips();
    expect(loading.container.innerHTML).toBe("");
    loading.unmount();

    fetchRelatedListings.mockResolvedValue({ similar: [], seller_listings: [] });
    const empty = renderStrips();
    await vi.waitFor(() => expect(fetchRelatedListings).toHaveBeenCalledTimes(2));
    await vi.waitFor(() => expect(empty.container.innerHTML).toBe(""));
  });

  it("shows the error of a failed request", async () => {
    fetchRelatedListings.mockRejectedValue(
      Object.assign(new Error("Network Error"), { userMessage: "The server could not be reached." }),
    );
    renderStrips();

    expect(await screen.findByText("The server could not be reached.")).toBeTruthy();
  });
});
