import { client } from "./client";

export const ME_PATH = "/api/v1/me/";
export const MY_NEIGHBOURHOODS_PATH = "/api/v1/me/neighbourhoods/";
export const NEIGHBOURHOODS_PATH = "/api/v1/neighbourhoods/";

/** Fetches the signed-in user's profile, with their neighbourhoods. */
export async function fetchProfile({ signal } = {}) {
  const response = await client.get(ME_PATH, { signal });
  return response.data;
}

/**
 * Saves the display name and the avatar. `avatar` is a File to upload,
 * `removeAvatar` deletes the current one; both may be left out.
 */
export async function updateProfile({ displayName, avatar = null, removeAvatar = false }) {
  const form = new FormData();
  form.append("display_name", displayName);
  if (avatar) {
    form.append("avatar", avatar);
  }
  form.append("remove_avatar", removeAvatar ? "true" : "false");
  const response = await client.patch(ME_PATH, form);
  return response.data;
}

/** Fetches neighbourhoods whose name contains `query` (at most 100). */
export async function searchNeighbourhoods(query, { signal } = {}) {
  const response = await client.get(NEIGHBOURHOODS_PATH, { params: { q: query }, signal });
  return response.data;
}

export async function addNeighbourhood(neighbourhoodId) {
  const response = await client.post(MY_NEIGHBOURHOODS_PATH, { neighbourhood: neighbourhoodId });
  return response.data;
}

/** Sends the browser's position; the server checks the distance and keeps no coordinates. */
export async function confirmNeighbourhood(neighbourhoodId, { latitude, longitude }) {
  const response = await client.post(`${MY_NEIGHBOURHOODS_PATH}${neighbourhoodId}/confirm/`, {
    latitude,
    longitude,
  });
  return response.data;
}

export async function removeNeighbourhood(neighbourhoodId) {
  await client.delete(`${MY_NEIGHBOURHOODS_PATH}${neighbourhoodId}/`);
}
