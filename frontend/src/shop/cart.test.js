import { describe, expect, it } from "vitest";

import {
  canCheckout,
  checkoutTotals,
  describeCheckoutFailure,
  describeCheckoutResult,
  fromHundredths,
  groupCartBySeller,
  toHundredths,
  totalsByCurrency,
} from "./cart";

function line(id, seller, price, currency, unavailable = null) {
  return {
    listing: { id, title: `Listing ${id}`, price, currency, status: unavailable ? "sold" : "active", seller },
    price,
    is_available: unavailable === null,
    unavailable_reason: unavailable,
    message: unavailable ? `This listing ${unavailable}.` : "",
  };
}

describe("toHundredths and fromHundredths", () => {
  it.each([
    ["15000.00", 1500000n],
    ["12.5", 1250n],
    ["0.07", 7n],
    ["3", 300n],
  ])("reads %s", (price, hundredths) => {
    expect(toHundredths(price)).toBe(hundredths);
  });

  it("writes two places", () => {
    expect(fromHundredths(1250n)).toBe("12.50");
    expect(fromHundredths(7n)).toBe("0.07");
    expect(fromHundredths(-305n)).toBe("-3.05");
  });

  it("rejects a third decimal place", () => {
    expect(() => toHundredths("1.005")).toThrow('Price "1.005" is not a decimal with at most 2 places.');
  });
});

describe("totalsByCurrency", () => {
  it("sums each currency apart without float error", () => {
    expect(
      totalsByCurrency([
        { price: "0.10", currency: "USD" },
        { price: "0.20", currency: "USD" },
        { price: "15000.00", currency: "KRW" },
        { price: "1200000.00", currency: "KRW" },
      ]),
    ).toEqual([
      { currency: "KRW", amount: "1215000.00" },
      { currency: "USD", amount: "0.30" },
    ]);
  });

  it("returns nothing for no entries", () => {
    expect(totalsByCurrency([])).toEqual([]);
  });
});

describe("groupCartBySeller", () => {
  const lines = [
    line(1, "minji", "15000.00", "KRW"),
    line(2, "junho", "30.00", "USD"),
    line(3, "minji", "5000.00", "KRW", "is already sold"),
    line(4, "junho", "12.50", "USD"),
    line(5, "junho", "9000.00", "KRW"),
  ];

  it("keeps the cart's order of sellers and lines", () => {
    const groups = groupCartBySeller(lines);
    expect(groups.map((group) => group.seller)).toEqual(["minji", "junho"]);
    expect(groups[0].lines.map((item) => item.listing.id)).toEqual([1, 3]);
    expect(groups[1].lines.map((item) => item.listing.id)).toEqual([2, 4, 5]);
  });

  it("blocks a seller with an unavailable listing", () => {
    const [minji, junho] = groupCartBySeller(lines);
    expect(minji.blocked).toBe(true);
    expect(minji.unavailableCount).toBe(1);
    expect(junho.blocked).toBe(false);
    expect(junho.unavailableCount).toBe(0);
  });

  it("totals each seller's available lines per currency", () => {
    const [minji, junho] = groupCartBySeller(lines);
    expect(minji.totals).toEqual([{ currency: "KRW", amount: "15000.00" }]);
    expect(junho.totals).toEqual([
      { currency: "KRW", amount: "9000.00" },
      { currency: "USD", amount: "42.50" },
    ]);
  });

  it("charges an accepted offer's price", () => {
    const offered = { ...line(6, "minji", "15000.00", "KRW"), price: "12000.00" };
    expect(groupCartBySeller([offered])[0].totals).toEqual([{ currency: "KRW", amount: "12000.00" }]);
  });
});

describe("checkoutTotals and canCheckout", () => {
  it("leaves blocked sellers out of the amount to pay", () => {
    const groups = groupCartBySeller([
      line(1, "minji", "15000.00", "KRW"),
      line(3, "minji", "5000.00", "KRW", "is already sold"),
      line(5, "junho", "9000.00", "KRW"),
    ]);
    expect(checkoutTotals(groups)).toEqual([{ currency: "KRW", amount: "9000.00" }]);
    expect(canCheckout(groups)).toBe(true);
  });

  it("cannot check out when every seller is blocked", () => {
    const groups = groupCartBySeller([line(3, "minji", "5000.00", "KRW", "is reserved for another buyer")]);
    expect(checkoutTotals(groups)).toEqual([]);
    expect(canCheckout(groups)).toBe(false);
  });

  it("cannot check out an empty cart", () => {
    expect(canCheckout(groupCartBySeller([]))).toBe(false);
  });
});

describe("describeCheckoutResult", () => {
  it("names the sellers and each listing left out", () => {
    const result = {
      orders: [{ id: 7, seller: "minji" }, { id: 8, seller: "junho" }],
      unavailable: [{ listing: 3, reason: "sold", message: "Listing 3 ('Galaxy S21') is already sold." }],
    };
    expect(describeCheckoutResult(result)).toEqual([
      "2 orders arranged with minji, junho. Meet the seller to pay and collect.",
      "Not bought: Listing 3 ('Galaxy S21') is already sold.",
    ]);
  });

  it("uses the singular for one order", () => {
    expect(describeCheckoutResult({ orders: [{ id: 7, seller: "minji" }], unavailable: [] })).toEqual([
      "1 order arranged with minji. Meet the seller to pay and collect.",
    ]);
  });
});

describe("describeCheckoutFailure", () => {
  it("lists each unavailable listing of a 409", () => {
    const error = {
      userMessage: "Listing 3 ('Galaxy S21') is already sold. Listing 4 is hidden by its seller.",
      response: {
        status: 409,
        data: {
          detail: "Listing 3 ('Galaxy S21') is already sold. Listing 4 is hidden by its seller.",
          unavailable: [
            { listing: 3, reason: "sold", message: "Listing 3 ('Galaxy S21') is already sold." },
            { listing: 4, reason: "hidden", message: "Listing 4 is hidden by its seller." },
          ],
        },
      },
    };
    expect(describeCheckoutFailure(error)).toEqual([
      "Listing 3 ('Galaxy S21') is already sold.",
      "Listing 4 is hidden by its seller.",
    ]);
  });

  it("shows the client's message for any other failure", () => {
    const error = {
      userMessage: "listings: No listings to buy; add listings to the cart first.",
      response: { status: 400, data: { listings: ["No listings to buy; add listings to the cart first."] } },
    };
    expect(describeCheckoutFailure(error)).toEqual([
      "listings: No listings to buy; add listings to the cart first.",
    ]);
  });

  it("falls back when the error has no message", () => {
    expect(describeCheckoutFailure(new Error("boom"))).toEqual(["Checkout failed. Try again."]);
  });
});
