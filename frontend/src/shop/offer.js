import { CURRENCIES } from "../sell/validation";

const AMOUNT_PATTERN = /^-?(\d+)(?:\.(\d+))?$/;

/**
 * Checks an offer amount the way the offers API does (orders/services/
 * offers.py) and returns the message it would send, or null when the
 * amount may be sent. The amount is in the listing's currency, has at
 * most that currency's decimals, and lies above 0 and at most at the
 * asking price.
 */
export function validateOfferAmount(rawAmount, listing) {
  const amount = String(rawAmount ?? "").trim();
  const { currency } = listing;

  if (amount === "") {
    return `Amount is missing; enter an amount in ${currency} such as ${listing.price}.`;
  }
  const match = AMOUNT_PATTERN.exec(amount);
  if (!match) {
    return `Amount ${amount} is not a number; enter an amount in ${currency} such as ${listing.price}.`;
  }
  if (Number(amount) <= 0) {
    return `Amount ${amount} is not positive; offer more than 0.`;
  }

  const rule = CURRENCIES[currency];
  // Trailing zeros do not count, as on the server: 12.50 USD is valid.
  const decimals = (match[2] ?? "").replace(/0+$/, "").length;
  if (rule && decimals > rule.decimals) {
    const ruleText =
      rule.decimals === 0
        ? `${currency} prices are whole numbers`
        : `${currency} allows at most ${rule.decimals} decimal places`;
    const places = decimals === 1 ? "place" : "places";
    return `Amount ${amount} ${currency} has ${decimals} decimal ${places}; ${ruleText}.`;
  }
  if (Number(amount) > Number(listing.price)) {
    // The API writes the asking price with the currency's decimals, so
    // "450000.00" from the offers API reads 450000 KRW here too.
    const asking = rule ? Number(listing.price).toFixed(rule.decimals) : listing.price;
    return `Amount ${amount} ${currency} is above the asking price of ${asking} ${currency}; buy at the asking price instead.`;
  }
  return null;
}
