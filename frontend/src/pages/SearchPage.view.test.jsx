import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router-dom";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { fetchListingPage } from "../api/listings";
import { SearchPage } from "./SearchPage";

// The listings API is the network boundary of this unit.
vi.mock("../api/listings", () => ({ fetchListingPage: vi.fn() }));

function renderSearch(path) {
  const router = createMemoryRouter([{ path: "/search", element: <SearchPage /> }], {
    initialEntries: [path],
  });
  render(<RouterProvider router={router} />);
  return router;
}

describe("SearchPage", () => {
  beforeEach(() => {
    fetchListingPage.mockReset();
    fetchListingPage.mockResolvedValue({ items: [], next: null });
  });

  it("sends the URL's filters to the API", async () => {
    renderSearch("/search?q=%EB%A7%A5%EB%B6%81&condition=good&ordering=price");

    await screen.findByText("No listings match “맥북”. Try fewer or other words.");
    const params = fetchListingPage.mock.calls[0][0];
    expect(params.get("q")).toBe("맥북");
    expect(params.getAll("condition")).toEqual(["good"]);
    expect(params.get("ordering")).toBe("price");
    expect(fetchListingPage.mock.calls[0][1]).toBeNull();
  });

  it("puts the submitted words in the URL", async () => {
    const router = renderSearch("/search");

    await userEvent.type(screen.getByLabelText("Search words"), "아이폰 13");
    await userEvent.click(screen.getByRole("button", { name: "Search" }));

    expect(router.state.location.search).toBe(`?${new URLSearchParams({ q: "아이폰 13" })}`);
    expect(document.title).toBe("Search: 아이폰 13 · Marketplace");
  });

  it("shows a filter error without searching", async () => {
    renderSearch("/search");
    await screen.findByText("No listings match these filters.");

    await userEvent.click(screen.getByText("Filters and sorting"));
    await userEvent.type(screen.getByLabelText("Min price"), "50");
    await userEvent.type(screen.getByLabelText("Max price"), "10");
    await userEvent.click(screen.getByRole("button", { name: "Search" }));

    expect(screen.getByRole("alert").textContent).toBe(
      "max_price 10 is below min_price 50; swap them.",
    );
    expect(fetchListingPage).toHaveBeenCalledTimes(1);
  });

  it("filters by category and drops the filter on request", async () => {
    const router = renderSearch("/search?category=42&category_name=Stands");

    expect(await screen.findByText("In Stands")).toBeTruthy();
    expect(fetchListingPage.mock.calls[0][0].get("category")).toBe("42");
    await userEvent.click(screen.getByRole("button", { name: "Remove the category filter" }));
    await userEvent.click(screen.getByRole("button", { name: "Search" }));

    expect(router.state.location.search).toBe("");
    expect(screen.queryByText("In Stands")).toBeNull();
  });

  it("follows the URL on back", async () => {
    const router = renderSearch("/search?q=camera");
    await userEvent.clear(screen.getByLabelText("Search words"));
    await userEvent.type(screen.getByLabelText("Search words"), "맥북");
    await userEvent.click(screen.getByRole("button", { name: "Search" }));

    await act(() => router.navigate(-1));

    expect(screen.getByLabelText("Search words").value).toBe("camera");
  });
});
