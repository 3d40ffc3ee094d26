import { render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { fetchListingPage } from "../api/listings";
import { CategoryStrip } from "./CategoryStrip";

// The listings API is the network boundary of this unit.
vi.mock("../api/listings", () => ({ fetchListingPage: vi.fn() }));

const LISTING = { id: 61, category: 42, category_path: "Electronics > Stands" };

function listing(id, title) {
  return { id, title, price: "30000", currency: "KRW", condition: "good", status: "active" };
}

function renderStrip() {
  return render(
    <MemoryRouter>
      <CategoryStrip listing={LISTING} searchPath="/search?category=42" />
    </MemoryRouter>,
  );
}

describe("CategoryStrip", () => {
  beforeEach(() => {
    fetchListingPage.mockReset();
  });

  it("shows other listings of the category without this one", async () => {
    fetchListingPage.mockResolvedValue({
      items: [listing(61, "맥북 프로 팝니다"), listing(62, "노트북 거치대")].map((item) => ({
        listing: item,
        key: item.id,
      })),
      next: null,
    });
    renderStrip();

    expect(await screen.findByText("노트북 거치대")).toBeTruthy();
    expect(screen.queryByText("맥북 프로 팝니다")).toBeNull();
    expect(fetchListingPage.mock.calls[0][0].toString()).toBe("category=42");
    expect(screen.getByRole("link", { name: "See all in Stands" }).getAttribute("href")).toBe(
      "/search?category=42",
    );
  });

  it("renders nothing while loading", () => {
    fetchListingPage.mockReturnValue(new Promise(() => {}));
    const { container } = renderStrip();
    expect(container.innerHTML).toBe("");
  });

  it("renders nothing when the listing is alone in its category", async () => {
    fetchListingPage.mockResolvedValue({
      items: [{ listing: listing(61, "맥북 프로 팝니다"), key: 61 }],
      next: null,
    });
    const { container } = renderStrip();

    await vi.waitFor(() => expect(container.innerHTML).toBe(""));
  });

  it("shows the error of a failed request", async () => {
    fetchListingPage.mockRejectedValue(
      Object.assign(new Error("Network Error"), { userMessage: "The server could not be reached." }),
    );
    renderStrip();

    expect(await screen.findByText("The server could not be reached.")).toBeTruthy();
  });
});
