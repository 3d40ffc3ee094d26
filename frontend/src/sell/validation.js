// The limits of the listings API (listings/services.py); the server checks
// them again, so these only spare a round trip and keep the messages alike.
export const TITLE_MAX_LENGTH = 200;
export const DESCRIPTION_MAX_LENGTH = 5000;
export const CURRENCIES = {
  EUR: { decimals: 2, maxPrice: "100000.00" },
  JPY: { decimals: 0, maxPrice: "15000000" },
  KRW: { decimals: 0, maxPrice: "150000000" },
  USD: { decimals: 2, maxPrice: "100000.00" },
};
export const CONDITIONS = ["new", "like_new", "good", "fair", "for_parts"];

const AMOUNT_PATTERN = /^-?(\d+)(?:\.(\d+))?$/;

function checkPrice(rawPrice, currency) {
  const price = String(rawPrice ?? "").trim();
  const rule = CURRENCIES[currency];
  if (price === "") {
    return "Price is missing; enter an amount such as 10 (0 to give it away).";
  }
  const match = AMOUNT_PATTERN.exec(price);
  if (!match) {
    return `Price ${price} is not a number; enter an amount such as 10.`;
  }
  if (!rule) {
    return null;
  }
  const amountText = `${price} ${currency}`;
  if (price.startsWith("-") && Number(price) !== 0) {
    return `Price ${amountText} is negative; the minimum price is 0.`;
  }
  if (Number(price) > Number(rule.maxPrice)) {
    return `Price ${amountText} is above the maximum of ${rule.maxPrice} ${currency}.`;
  }
  // Trailing zeros do not count, as on the server: 12.50 USD and 1500.0 KRW
  // are valid.
  const decimals = (match[2] ?? "").replace(/0+$/, "").length;
  if (decimals > rule.decimals) {
    const ruleText =
      rule.decimals === 0
        ? `${currency} prices are whole numbers`
        : `${currency} allows at most ${rule.decimals} decimal places`;
    const places = decimals === 1 ? "place" : "places";
    return `Price ${amountText} has ${decimals} decimal ${places}; ${ruleText}.`;
  }
  return null;
}

/**
 * Checks a sell form's values and returns `{field: message}`; an empty
 * object means the form may be sent.
 */
export function validateListing(values) {
  const errors = {};
  const title = (values.title ?? "").trim();
  if (title === "") {
    errors.title = `Title is blank; enter 1 to ${TITLE_MAX_LENGTH} characters.`;
  } else if (title.length > TITLE_MAX_LENGTH) {
    errors.title = `Title has ${title.length} characters; the maximum is ${TITLE_MAX_LENGTH}.`;
  }

  const description = values.description ?? "";
  if (description.length > DESCRIPTION_MAX_LENGTH) {
    errors.description = `Description has ${description.length} characters; the maximum is ${DESCRIPTION_MAX_LENGTH}.`;
  }

  if (!CURRENCIES[values.currency]) {
    errors.currency = `Currency ${JSON.stringify(values.currency ?? "")} is not supported; use one of ${Object.keys(CURRENCIES).join(", ")}.`;
  }
  const priceError = checkPrice(values.price, values.currency);
  if (priceError) {
    errors.price = priceError;
  }

  if (!values.condition) {
    errors.condition = "Condition is missing; choose how worn the item is.";
  } else if (!CONDITIONS.includes(values.condition)) {
    errors.condition = `Condition ${JSON.stringify(values.condition)} is not valid; use one of ${CONDITIONS.join(", ")}.`;
  }
  return errors;
}

/** Builds the POST body of the listings API from the form's values. */
export function toListingBody(values) {
  const body = {
    title: values.title.trim(),
    description: values.description ?? "",
    price: String(values.price).trim(),
    currency: values.currency,
    condition: values.condition,
  };
  if (values.parentAsin) {
    body.parent_asin = values.parentAsin;
  }
  if (values.category !== null && values.category !== undefined && values.category !== "") {
    body.category = Number(values.category);
  }
  return body;
}
