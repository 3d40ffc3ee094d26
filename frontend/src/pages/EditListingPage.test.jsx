import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { deleteListingPhoto, updateListing, uploadListingPhotos } from "../api/listingEditing";
import { fetchListing } from "../api/listings";
import { EditListingPage, saveListingEdit } from "./EditListingPage";

// The listings API is the network boundary of this unit.
vi.mock("../api/listings", () => ({ fetchListing: vi.fn() }));
vi.mock("../api/listingEditing", () => ({
  updateListing: vi.fn(),
  deleteListingPhoto: vi.fn(),
  uploadListingPhotos: vi.fn(),
}));
vi.mock("../api/catalog", () => ({ searchCatalog: vi.fn() }));

const PHOTOS = [
  { id: 31, url: "/media/31.jpg", thumbnail_url: "/media/31-small.jpg", width: 800, height: 600, position: 0 },
  { id: 32, url: "/media/32.jpg", thumbnail_url: null, width: 800, height: 600, position: 1 },
];

const LISTING = {
  id: 12,
  title: "맥북 프로 팝니다",
  description: "",
  price: "1200000",
  currency: "KRW",
  condition: "like_new",
  status: "active",
  category: null,
  category_path: null,
  parent_asin: null,
  is_own: true,
  photos: PHOTOS,
};

function renderPage() {
  return render(
    <MemoryRouter initialEntries={["/listings/12/edit"]}>
      <Routes>
        <Route path="listings/:id/edit" element={<EditListingPage />} />
        <Route path="listings/:id" element={<h1>Listing page</h1>} />
      </Routes>
    </MemoryRouter>,
  );
}

const BODY = {
  title: "맥북 프로 팝니다",
  description: "",
  price: "1200000",
  currency: "KRW",
  condition: "like_new",
};

describe("saveListingEdit", () => {
  beforeEach(() => {
    updateListing.mockReset().mockResolvedValue(LISTING);
    deleteListingPhoto.mockReset().mockResolvedValue(undefined);
    uploadListingPhotos.mockReset().mockResolvedValue(LISTING);
  });

  it("sends nothing when nothing changed", async () => {
    const saved = { body: BODY, photos: PHOTOS };
    const stored = PHOTOS.map((photo) => ({ key: `stored-${photo.id}`, kind: "stored", photoId: photo.id }));

    expect(await saveListingEdit(12, saved, BODY, stored)).toBe(false);
    expect(updateListing).not.toHaveBeenCalled();
    expect(deleteListingPhoto).not.toHaveBeenCalled();
    expect(uploadListingPhotos).not.toHaveBeenCalled();
  });

  it("patches fields, deletes, then uploads", async () => {
    const saved = { body: BODY, photos: PHOTOS };
    const added = new File(["x"], "new.png");
    const entries = [{ key: "stored-32", kind: "stored", photoId: 32 }, { key: "new-1", kind: "new", file: added }];

    expect(await saveListingEdit(12, saved, { ...BODY, price: "1100000" }, entries)).toBe(true);

    expect(updateListing).toHaveBeenCalledWith(12, { price: "1100000" });
    expect(deleteListingPhoto).toHaveBeenCalledWith(12, 31);
    expect(uploadListingPhotos).toHaveBeenCalledWith(12, [added]);
    expect(saved.photos.map((photo) => photo.id)).toEqual([32]);
  });

  it("sends only what is left after a failed upload", async () => {
    const saved = { body: BODY, photos: PHOTOS };
    const added = new File(["x"], "new.png");
    const entries = [{ key: "new-1", kind: "new", file: added }];
    uploadListingPhotos.mockRejectedValueOnce(Object.assign(new Error("400"), { userMessage: "photos: bad" }));

    await expect(saveListingEdit(12, saved, { ...BODY, price: "1" }, entries)).rejects.toThrow("400");
    await saveListingEdit(12, saved, { ...BODY, price: "1" }, entries);

    expect(updateListing).toHaveBeenCalledTimes(1);
    expect(deleteListingPhoto.mock.calls).toEqual([
      [12, 31],
      [12, 32],
    ]);
    expect(uploadListingPhotos).toHaveBeenCalledTimes(2);
  });
});

describe("EditListingPage", () => {
  beforeEach(() => {
    fetchListing.mockReset();
    updateListing.mockReset().mockResolvedValue(LISTING);
    deleteListingPhoto.mockReset().mockResolvedValue(undefined);
    uploadListingPhotos.mockReset().mockResolvedValue(LISTING);
  });

  it("prefills the form and its stored photos", async () => {
    fetchListing.mockResolvedValue(LISTING);
    renderPage();

    await screen.findByRole("heading", { name: "Edit the listing" });

    expect(screen.getByLabelText("Title").value).toBe("맥북 프로 팝니다");
    expect(screen.getByLabelText("Price").value).toBe("1200000");
    expect(screen.getByLabelText("Currency").value).toBe("KRW");
    expect(screen.getByLabelText("Condition").value).toBe("like_new");
    expect(screen.getByRole("button", { name: "Remove Photo 1" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Remove Photo 2" })).toBeTruthy();
  });

  it("saves a new price and returns to the listing", async () => {
    const user = userEvent.setup();
    fetchListing.mockResolvedValue(LISTING);
    renderPage();
    await screen.findByRole("heading", { name: "Edit the listing" });

    await user.clear(screen.getByLabelText("Price"));
    await user.type(screen.getByLabelText("Price"), "1100000");
    await user.click(screen.getByRole("button", { name: "Remove Photo 1" }));
    await user.click(screen.getByRole("button", { name: "Save the changes" }));

    await screen.findByRole("heading", { name: "Listing page" });
    expect(updateListing).toHaveBeenCalledWith(12, { price: "1100000" });
    expect(deleteListingPhoto).toHaveBeenCalledWith(12, 31);
    expect(uploadListingPhotos).not.toHaveBeenCalled();
  });

  it("says so when nothing changed", async () => {
    const user = userEvent.setup();
    fetchListing.mockResolvedValue(LISTING);
    renderPage();
    await screen.findByRole("heading", { name: "Edit the listing" });

    await user.click(screen.getByRole("button", { name: "Save the changes" }));

    expect((await screen.findByRole("alert")).textContent).toBe(
      "Nothing was changed. Edit a field or the photos, or go back to the listing.",
    );
    expect(updateListing).not.toHaveBeenCalled();
  });

  it("refuses to edit another seller's listing", async () => {
    fetchListing.mockResolvedValue({ ...LISTING, is_own: false });
    renderPage();

    expect((await screen.findByRole("alert")).textContent).toBe("Only the seller of this listing can edit it.");
    expect(screen.queryByLabelText("Title")).toBeNull();
  });
});
