// Cart arithmetic and the texts of checkout results. The API sends prices
// as decimal strings with two places ("15000.00", "12.50"); sums are taken
// in hundredths as BigInt, so no floating-point rounding creeps in.

const PRICE_PATTERN = /^(-?)(\d+)(?:\.(\d{1,2}))?$/;

/** Converts an API price string into hundredths ("12.5" -> 1250n). */
export function toHundredths(price) {
  const match = PRICE_PATTERN.exec(String(price).trim());
  if (!match) {
    throw new Error(`Price ${JSON.stringify(price)} is not a decimal with at most 2 places.`);
  }
  const [, sign, whole, fraction = ""] = match;
  const value = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, "0"));
  return sign === "-" ? -value : value;
}

/** Converts hundredths back into a decimal string (1250n -> "12.50"). */
export function fromHundredths(value) {
  const sign = value < 0n ? "-" : "";
  const absolute = value < 0n ? -value : value;
  const fraction = String(absolute % 100n).padStart(2, "0");
  return `${sign}${absolute / 100n}.${fraction}`;
}

/**
 * Sums `[{price, currency}]` per currency. Returns `[{currency, amount}]`
 * sorted by currency code, with `amount` a decimal string.
 */
export function totalsByCurrency(entries) {
  const sums = new Map();
  for (const { price, currency } of entries) {
    sums.set(currency, (sums.get(currency) ?? 0n) + toHundredths(price));
  }
  return [...sums.keys()]
    .sort()
    .map((currency) => ({ currency, amount: fromHundredths(sums.get(currency)) }));
}

/**
 * Groups cart lines by seller, in the order the cart lists them.
 *
 * Checkout buys each seller's listings all or nothing, so a seller with an
 * unavailable listing is `blocked`: nothing of theirs is bought until that
 * listing leaves the cart. `totals` counts the seller's available lines,
 * at the price checkout charges (`line.price`, which an accepted offer
 * may lower).
 */
export function groupCartBySeller(lines) {
  const groups = new Map();
  for (const line of lines) {
    const seller = line.listing.seller;
    if (!groups.has(seller)) {
      groups.set(seller, { seller, lines: [] });
    }
    groups.get(seller).lines.push(line);
  }
  return [...groups.values()].map((group) => {
    const available = group.lines.filter((line) => line.is_available);
    return {
      ...group,
      blocked: available.length < group.lines.length,
      unavailableCount: group.lines.length - available.length,
      totals: totalsByCurrency(
        available.map((line) => ({ price: line.price, currency: line.listing.currency })),
      ),
    };
  });
}

/** Sums what checkout would charge now: the sellers that are not blocked. */
export function checkoutTotals(groups) {
  return totalsByCurrency(
    groups
      .filter((group) => !group.blocked)
      .flatMap((group) =>
        group.lines.map((line) => ({ price: line.price, currency: line.listing.currency })),
      ),
  );
}

/** True when checkout would buy at least one seller's listings. */
export function canCheckout(groups) {
  return groups.some((group) => !group.blocked && group.lines.length > 0);
}

/**
 * Returns the sentences that describe a finished checkout: the orders
 * made and each listing left out with the API's reason.
 */
export function describeCheckoutResult(result) {
  const count = result.orders.length;
  const sellers = result.orders.map((order) => order.seller).join(", ");
  const lines = [
    `${count} ${count === 1 ? "order" : "orders"} arranged with ${sellers}. Meet the seller to pay and collect.`,
  ];
  for (const item of result.unavailable ?? []) {
    lines.push(`Not bought: ${item.message}`);
  }
  return lines;
}

/**
 * Returns the sentences for a failed checkout: one per listing that the
 * API left out ("Listing 7 ('Galaxy S21') is already sold."), or the
 * request's own message.
 */
export function describeCheckoutFailure(error) {
  const unavailable = error.response?.data?.unavailable;
  if (Array.isArray(unavailable) && unavailable.length > 0) {
    return unavailable.map((item) => item.message);
  }
  return [error.userMessage ?? "Checkout failed. Try again."];
}
