import { describe, expect, it } from "vitest";

import { diffListingBody, listingToFormValues } from "./listingEdit";
import { toListingBody } from "./validation";

const LISTING = {
  id: 12,
  title: "맥북 프로 팝니다",
  description: "배터리 사이클 120회.",
  price: "1200000",
  currency: "KRW",
  condition: "like_new",
  status: "active",
  category: 7,
  category_path: "Electronics > Computers",
  parent_asin: "B0863TXGM3",
  photos: [],
};

describe("listingToFormValues", () => {
  it("prefills every field of the form from the listing", () => {
    expect(listingToFormValues(LISTING)).toEqual({
      title: "맥북 프로 팝니다",
      description: "배터리 사이클 120회.",
      price: "1200000",
      currency: "KRW",
      condition: "like_new",
      category: 7,
      categoryPath: "Electronics > Computers",
      parentAsin: "B0863TXGM3",
    });
  });

  it("fills the gaps of a listing without product or category", () => {
    const values = listingToFormValues({ ...LISTING, category: null, category_path: null, parent_asin: null, description: "" });
    expect(values.category).toBeNull();
    expect(values.parentAsin).toBeNull();
    expect(toListingBody(values)).toEqual({
      title: "맥북 프로 팝니다",
      description: "",
      price: "1200000",
      currency: "KRW",
      condition: "like_new",
    });
  });
});

describe("diffListingBody", () => {
  const before = toListingBody(listingToFormValues(LISTING));

  it("returns nothing for an unchanged form", () => {
    expect(diffListingBody(before, toListingBody(listingToFormValues(LISTING)))).toEqual({});
  });

  it("returns the changed price only", () => {
    expect(diffListingBody(before, { ...before, price: "1100000" })).toEqual({ price: "1100000" });
  });

  it("treats equal amounts as the same price", () => {
    const usd = { ...before, price: "12.50", currency: "USD" };
    expect(diffListingBody(usd, { ...usd, price: "12.5" })).toEqual({});
  });

  it("sends a cleared price so the server reports it", () => {
    expect(diffListingBody(before, { ...before, price: "" })).toEqual({ price: "" });
  });

  it("sends null for a product that was taken away", () => {
    const { parent_asin: _removed, ...after } = before;
    expect(diffListingBody(before, { ...after, title: "맥북 에어" })).toEqual({
      parent_asin: null,
      title: "맥북 에어",
    });
  });

  it("includes a new catalog product and category", () => {
    expect(diffListingBody(before, { ...before, parent_asin: "B0AAAA", category: 9 })).toEqual({
      parent_asin: "B0AAAA",
      category: 9,
    });
  });
});
