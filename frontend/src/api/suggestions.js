import { client } from "./client";

export const SUGGESTIONS_PATH = "/api/v1/suggestions/";

/**
 * Fetches the suggestions of the visitor's current session over HTTP:
 * `{type, listings, source, model_version}`, as the session socket pushes
 * them.
 */
export async function fetchSuggestions({ signal } = {}) {
  const response = await client.get(SUGGESTIONS_PATH, { signal });
  return response.data;
}
