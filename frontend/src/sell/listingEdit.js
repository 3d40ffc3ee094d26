// Prefill and change detection of the edit form.
import { EMPTY_LISTING } from "./SellForm";

/** Returns the sell form's values for a listing from the API. */
export function listingToFormValues(listing) {
  return {
    ...EMPTY_LISTING,
    title: listing.title ?? "",
    description: listing.description ?? "",
    price: listing.price ?? "",
    currency: listing.currency ?? EMPTY_LISTING.currency,
    condition: listing.condition ?? "",
    category: listing.category ?? null,
    categoryPath: listing.category_path ?? null,
    parentAsin: listing.parent_asin ?? null,
  };
}

function sameValue(field, before, after) {
  // "1200000" and "1200000.00" are the same price to the API.
  if (field === "price" && before !== undefined && after !== undefined) {
    return Number(before) === Number(after) && String(before).trim() !== "" && String(after).trim() !== "";
  }
  return before === after;
}

/**
 * Returns the PATCH body that turns `before` into `after`, both listing
 * bodies as toListingBody builds them: the changed fields only, and null
 * for a catalog product or category that was taken away.
 */
export function diffListingBody(before, after) {
  const changes = {};
  for (const field of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (!(field in after)) {
      changes[field] = null;
    } else if (!sameValue(field, before[field], after[field])) {
      changes[field] = after[field];
    }
  }
  return changes;
}
