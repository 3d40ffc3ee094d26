import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { deleteListing } from "../api/listingEditing";
import { ListingOwnerTools } from "./ListingOwnerTools";

// The listings API is the network boundary of this unit.
vi.mock("../api/listingEditing", () => ({ deleteListing: vi.fn() }));

const LISTING = { id: 12, title: "맥북 프로 팝니다", status: "active", is_own: true };

function renderTools(listing = LISTING) {
  return render(
    <MemoryRouter initialEntries={["/listings/12"]}>
      <Routes>
        <Route path="listings/:id" element={<ListingOwnerTools listing={listing} />} />
        <Route path="/" element={<h1>Feed</h1>} />
      </Routes>
    </MemoryRouter>,
  );
}

describe("ListingOwnerTools", () => {
  beforeEach(() => {
    deleteListing.mockReset();
  });

  it("links to the edit form", () => {
    renderTools();
    expect(screen.getByRole("link", { name: "Edit the listing" }).getAttribute("href")).toBe("/listings/12/edit");
  });

  it("deletes only after the confirmation", async () => {
    const user = userEvent.setup();
    deleteListing.mockResolvedValue(undefined);
    renderTools();

    await user.click(screen.getByRole("button", { name: "Delete the listing" }));
    expect(screen.getByText("Delete “맥북 프로 팝니다”? This cannot be undone.")).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Keep it" }));
    expect(deleteListing).not.toHaveBeenCalled();
    await user.click(screen.getByRole("button", { name: "Yes, delete it" }));

    await screen.findByRole("heading", { name: "Feed" });
    expect(deleteListing).toHaveBeenCalledWith(12);
  });

  it("keeps the listing when the seller changes their mind", async () => {
    const user = userEvent.setup();
    renderTools();

    await user.click(screen.getByRole("button", { name: "Delete the listing" }));
    await user.click(screen.getByRole("button", { name: "Keep it" }));

    expect(screen.queryByText(/This cannot be undone/)).toBeNull();
    expect(deleteListing).not.toHaveBeenCalled();
  });

  it("shows the API's message when the deletion fails", async () => {
    const user = userEvent.setup();
    deleteListing.mockRejectedValue(
      Object.assign(new Error("409"), { userMessage: "Listing 12 is sold; a sold listing cannot be deleted." }),
    );
    renderTools();

    await user.click(screen.getByRole("button", { name: "Delete the listing" }));
    await user.click(screen.getByRole("button", { name: "Yes, delete it" }));

    expect((await screen.findByRole("alert")).textContent).toBe("Listing 12 is sold; a sold listing cannot be deleted.");
  });

  it("renders nothing for a sold listing or another seller's", () => {
    const { container, rerender } = renderTools({ ...LISTING, status: "sold" });
    expect(container.innerHTML).toBe("");
    rerender(
      <MemoryRouter>
        <ListingOwnerTools listing={{ ...LISTING, is_own: false }} />
      </MemoryRouter>,
    );
    expect(container.innerHTML).toBe("");
  });
});
