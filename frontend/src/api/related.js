import { client } from "./client";
import { LISTINGS_PATH } from "./listings";

/**
 * Fetches the listings shown below a listing: `similar` (the same product,
 * then the recommender's nearest listings, then the same category) and
 * `seller_listings` (the seller's other active listings).
 */
export async function fetchRelatedListings(id, { signal } = {}) {
  const response = await client.get(`${LISTINGS_PATH}${id}/related/`, { signal });
  return response.data;
}
