// Writes of a seller to their own listings: create with photos, edit,
// delete, and the photos endpoints.
import { client } from "./client";
import { LISTINGS_PATH } from "./listings";

/** Builds a multipart body from a listing body and photo files. */
export function toMultipartBody(body, files) {
  const form = new FormData();
  for (const [field, value] of Object.entries(body)) {
    if (value !== null && value !== undefined) {
      form.append(field, String(value));
    }
  }
  for (const file of files) {
    form.append("photos", file);
  }
  return form;
}

/**
 * Creates a listing. With photos it is one multipart request, so a
 * rejected photo creates nothing; without, a JSON request.
 */
export async function createListingWithPhotos(body, files = []) {
  const payload = files.length > 0 ? toMultipartBody(body, files) : body;
  const response = await client.post(LISTINGS_PATH, payload);
  return response.data;
}

/** Changes the given fields of a listing (PATCH); returns the listing. */
export async function updateListing(id, changes) {
  const response = await client.patch(`${LISTINGS_PATH}${id}/`, changes);
  return response.data;
}

export async function deleteListing(id) {
  await client.delete(`${LISTINGS_PATH}${id}/`);
}

/** Adds photos after the listing's own, all or none; returns the listing. */
export async function uploadListingPhotos(id, files) {
  const form = new FormData();
  for (const file of files) {
    form.append("photos", file);
  }
  const response = await client.post(`${LISTINGS_PATH}${id}/photos/`, form);
  return response.data;
}

/** Deletes one photo; a photo that is already gone counts as deleted. */
export async function deleteListingPhoto(id, photoId) {
  try {
    await client.delete(`${LISTINGS_PATH}${id}/photos/${photoId}/`);
  } catch (error) {
    if (error.response?.status !== 404) {
      throw error;
    }
  }
}
