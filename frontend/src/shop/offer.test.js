import { describe, expect, it } from "vitest";

import { validateOfferAmount } from "./offer";

const WON = { price: "1200000", currency: "KRW" };
const DOLLARS = { price: "250.00", currency: "USD" };

describe("validateOfferAmount", () => {
  it.each([
    ["1100000", WON],
    [" 1200000 ", WON],
    ["1100000.0", WON],
    ["249.99", DOLLARS],
    ["12.50", DOLLARS],
  ])("accepts %s", (amount, listing) => {
    expect(validateOfferAmount(amount, listing)).toBeNull();
  });

  it.each([
    ["", WON, "Amount is missing; enter an amount in KRW such as 1200000."],
    ["abc", WON, "Amount abc is not a number; enter an amount in KRW such as 1200000."],
    ["1,000", WON, "Amount 1,000 is not a number; enter an amount in KRW such as 1200000."],
    ["0", WON, "Amount 0 is not positive; offer more than 0."],
    ["-5", WON, "Amount -5 is not positive; offer more than 0."],
    ["1100000.5", WON, "Amount 1100000.5 KRW has 1 decimal place; KRW prices are whole numbers."],
    ["12.505", DOLLARS, "Amount 12.505 USD has 3 decimal places; USD allows at most 2 decimal places."],
    [
      "1300000",
      WON,
      "Amount 1300000 KRW is above the asking price of 1200000 KRW; buy at the asking price instead.",
    ],
    [
      "1300000",
      { price: "1200000.00", currency: "KRW" },
      "Amount 1300000 KRW is above the asking price of 1200000 KRW; buy at the asking price instead.",
    ],
    [
      "250.01",
      DOLLARS,
      "Amount 250.01 USD is above the asking price of 250.00 USD; buy at the asking price instead.",
    ],
  ])("rejects %j", (amount, listing, message) => {
    expect(validateOfferAmount(amount, listing)).toBe(message);
  });
});
