import { client } from "./client";

export const FEED_PATH = "/api/v1/feed/";
export const FEED_PAGE_SIZE = 20;

/**
 * Fetches one page of the home feed. `nextUrl` is the `next` link of the
 * previous page, or null for the first page.
 */
export async function fetchFeedPage(nextUrl, { signal } = {}) {
  const response = nextUrl
    ? await client.get(nextUrl, { signal })
    : await client.get(FEED_PATH, { params: { page_size: FEED_PAGE_SIZE }, signal });
  const { results, next, strategy } = response.data;
  return {
    items: results.map((item) => ({ ...item, key: item.listing.id })),
    next,
    strategy,
  };
}
