import { describe, expect, it } from "vitest";

import { toListingBody, validateListing } from "./validation";

const VALID = {
  title: "맥북 프로 팝니다",
  description: "",
  price: "1200000",
  currency: "KRW",
  condition: "good",
};

describe("validateListing", () => {
  it("accepts a valid Korean listing", () => {
    expect(validateListing(VALID)).toEqual({});
  });

  it("rejects a blank title", () => {
    expect(validateListing({ ...VALID, title: "   " }).title).toBe(
      "Title is blank; enter 1 to 200 characters.",
    );
  });

  it("rejects a title over 200 characters", () => {
    const errors = validateListing({ ...VALID, title: "가".repeat(201) });
    expect(errors.title).toBe("Title has 201 characters; the maximum is 200.");
  });

  it("accepts a title of exactly 200 characters after trimming", () => {
    expect(validateListing({ ...VALID, title: ` ${"a".repeat(200)} ` })).toEqual({});
  });

  it("rejects a description over 5000 characters", () => {
    const errors = validateListing({ ...VALID, description: "x".repeat(5001) });
    expect(errors.description).toBe("Description has 5001 characters; the maximum is 5000.");
  });

  it.each([
    ["", "KRW", "Price is missing; enter an amount such as 10 (0 to give it away)."],
    ["abc", "KRW", "Price abc is not a number; enter an amount such as 10."],
    ["1e5", "USD", "Price 1e5 is not a number; enter an amount such as 10."],
    ["-5", "USD", "Price -5 USD is negative; the minimum price is 0."],
    ["1500.5", "KRW", "Price 1500.5 KRW has 1 decimal place; KRW prices are whole numbers."],
    ["12.505", "USD", "Price 12.505 USD has 3 decimal places; USD allows at most 2 decimal places."],
    ["100000.01", "EUR", "Price 100000.01 EUR is above the maximum of 100000.00 EUR."],
    ["150000001", "KRW", "Price 150000001 KRW is above the maximum of 150000000 KRW."],
  ])("rejects price %j in %s", (price, currency, message) => {
    expect(validateListing({ ...VALID, price, currency }).price).toBe(message);
  });

  it.each([
    ["0", "KRW"],
    ["12.50", "USD"],
    ["12.5", "USD"],
    ["1500.0", "KRW"],
    ["150000000", "KRW"],
    ["100000.00", "EUR"],
    ["15000000", "JPY"],
  ])("accepts price %j in %s", (price, currency) => {
    expect(validateListing({ ...VALID, price, currency })).toEqual({});
  });

  it("rejects an unsupported currency", () => {
    const errors = validateListing({ ...VALID, currency: "GBP" });
    expect(errors.currency).toBe(
      'Currency "GBP" is not supported; use one of EUR, JPY, KRW, USD.',
    );
  });

  it("rejects a missing condition", () => {
    expect(validateListing({ ...VALID, condition: "" }).condition).toBe(
      "Condition is missing; choose how worn the item is.",
    );
  });

  it("rejects an unknown condition", () => {
    expect(validateListing({ ...VALID, condition: "broken" }).condition).toBe(
      'Condition "broken" is not valid; use one of new, like_new, good, fair, for_parts.',
    );
  });

  it("reports every invalid field at once", () => {
    const errors = validateListing({ title: "", price: "", currency: "KRW", condition: "" });
    expect(Object.keys(errors).sort()).toEqual(["condition", "price", "title"]);
  });
});

describe("toListingBody", () => {
  it("trims the title and sends catalog fields", () => {
    const body = toListingBody({
      ...VALID,
      title: "  Sony WH-1000XM4 ",
      price: " 120.00 ",
      currency: "USD",
      category: "42",
      parentAsin: "B0863TXGM3",
    });
    expect(body).toEqual({
      title: "Sony WH-1000XM4",
      description: "",
      price: "120.00",
      currency: "USD",
      condition: "good",
      category: 42,
      parent_asin: "B0863TXGM3",
    });
  });

  it("leaves out catalog fields that are not set", () => {
    const body = toListingBody({ ...VALID, category: null, parentAsin: null });
    expect(Object.keys(body).sort()).toEqual([
      "condition",
      "currency",
      "description",
      "price",
      "title",
    ]);
  });
});
