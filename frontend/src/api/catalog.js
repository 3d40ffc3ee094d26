import { client } from "./client";

export const CATALOG_PATH = "/api/v1/catalog/products/";
// The API rejects a query of more than this many words.
export const CATALOG_MAX_WORDS = 8;

/** Fetches catalog products whose titles contain every word of `query`. */
export async function searchCatalog(query, { signal } = {}) {
  const words = query.trim().split(/\s+/).slice(0, CATALOG_MAX_WORDS);
  const response = await client.get(CATALOG_PATH, {
    params: { q: words.join(" ") },
    signal,
  });
  return response.data;
}
