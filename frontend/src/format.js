export const CONDITION_LABELS = {
  new: "New",
  like_new: "Like new",
  good: "Good",
  fair: "Fair",
  for_parts: "For parts",
};

/** Formats an API price string ("15000", "12.50") with its currency. */
export function formatPrice(price, currency, locale = undefined) {
  const amount = Number(price);
  if (!Number.isFinite(amount)) {
    return `${price} ${currency}`;
  }
  try {
    return new Intl.NumberFormat(locale, { style: "currency", currency }).format(amount);
  } catch {
    return `${price} ${currency}`;
  }
}

export function formatDate(iso, locale = undefined) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return "";
  }
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium" }).format(date);
}

export function formatDateTime(iso, locale = undefined) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return "";
  }
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(date);
}
