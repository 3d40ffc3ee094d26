import { client } from "./client";

export const LISTINGS_PATH = "/api/v1/listings/";
export const SEARCH_PAGE_SIZE = 20;

export async function fetchListing(id, { signal } = {}) {
  const response = await client.get(`${LISTINGS_PATH}${id}/`, { signal });
  return response.data;
}

/**
 * Fetches one page of listings. `params` is a URLSearchParams with the
 * filters (q, condition, min_price, ...); `nextUrl` continues a scroll.
 */
export async function fetchListingPage(params, nextUrl, { signal } = {}) {
  let response;
  if (nextUrl) {
    response = await client.get(nextUrl, { signal });
  } else {
    const query = new URLSearchParams(params);
    // The category's name is only shown on the page; the API takes the id.
    query.delete("category_name");
    query.set("page_size", String(SEARCH_PAGE_SIZE));
    response = await client.get(`${LISTINGS_PATH}?${query}`, { signal });
  }
  return {
    items: response.data.results.map((listing) => ({ listing, key: listing.id })),
    next: response.data.next,
  };
}

export async function createListing(body) {
  const response = await client.post(LISTINGS_PATH, body);
  return response.data;
}

// Seller actions of the listings API. Each returns the changed listing.
export const LISTING_ACTIONS = ["bump", "release", "sell", "hide", "unhide"];

export async function runListingAction(id, action) {
  if (!LISTING_ACTIONS.includes(action)) {
    throw new Error(`Unknown listing action ${JSON.stringify(action)}; use one of ${LISTING_ACTIONS.join(", ")}.`);
  }
  const response = await client.post(`${LISTINGS_PATH}${id}/${action}/`);
  return response.data;
}
