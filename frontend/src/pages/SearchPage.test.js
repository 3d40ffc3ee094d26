import { describe, expect, it } from "vitest";

import { buildSearchParams } from "./SearchPage";
import { categorySearchPath } from "./ListingPage";
import { safeNextPath } from "./SignInPage";

const EMPTY = {
  q: "",
  condition: [],
  min_price: "",
  max_price: "",
  currency: "",
  ordering: "",
  category: "",
  categoryName: "",
};

describe("buildSearchParams", () => {
  it("collapses spaces in Korean words", () => {
    const { params } = buildSearchParams({ ...EMPTY, q: "  맥북   프로 " });
    expect(params.toString()).toBe(new URLSearchParams({ q: "맥북 프로" }).toString());
  });

  it("repeats condition and keeps filters", () => {
    const { params } = buildSearchParams({
      ...EMPTY,
      condition: ["new", "good"],
      min_price: "10",
      max_price: "20.5",
      currency: "USD",
      ordering: "-price",
    });
    expect(params.getAll("condition")).toEqual(["new", "good"]);
    expect(params.get("min_price")).toBe("10");
    expect(params.get("max_price")).toBe("20.5");
    expect(params.get("currency")).toBe("USD");
    expect(params.get("ordering")).toBe("-price");
  });

  it("keeps the category id and its name", () => {
    const { params } = buildSearchParams({ ...EMPTY, category: "42", categoryName: "Stands" });
    expect(params.get("category")).toBe("42");
    expect(params.get("category_name")).toBe("Stands");
  });

  it("rejects a category that is not an id", () => {
    expect(buildSearchParams({ ...EMPTY, category: "stands" }).error).toBe(
      "category stands is not a category id; remove the category filter.",
    );
  });

  it("rejects a minimum above the maximum", () => {
    const result = buildSearchParams({ ...EMPTY, min_price: "30", max_price: "20" });
    expect(result.error).toBe("max_price 20 is below min_price 30; swap them.");
    expect(result.params).toBeUndefined();
  });

  it("rejects a price bound that is not an amount", () => {
    expect(buildSearchParams({ ...EMPTY, min_price: "-1" }).error).toBe(
      "min_price -1 is not an amount; enter a number from 0.",
    );
  });

  it("rejects a query over 200 characters", () => {
    expect(buildSearchParams({ ...EMPTY, q: "맥".repeat(201) }).error).toBe(
      "The search has 201 characters; use at most 200.",
    );
  });
});

describe("safeNextPath", () => {
  it.each([
    ["/sell", "/sell"],
    ["//evil.example/x", "/"],
    ["https://evil.example/", "/"],
    [null, "/"],
  ])("maps %j to %j", (next, expected) => {
    expect(safeNextPath(next)).toBe(expected);
  });
});

describe("categorySearchPath", () => {
  it("links to the listing's category by id and last name", () => {
    const path = categorySearchPath({
      category: 42,
      category_path: "Electronics > Computers & Accessories > Stands",
    });
    expect(path).toBe("/search?category=42&category_name=Stands");
  });

  it("leaves the name out when the path is unknown", () => {
    expect(categorySearchPath({ category: 7, category_path: null })).toBe("/search?category=7");
  });
});
