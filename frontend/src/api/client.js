import axios from "axios";

// Django's CSRF middleware reads the token from this header, and the page
// that serves the app sets the cookie (ensure_csrf_cookie).
export const CSRF_COOKIE_NAME = "csrftoken";
export const CSRF_HEADER_NAME = "X-CSRFToken";

const STATUS_MESSAGES = {
  401: "You are not signed in. Sign in and try again.",
  403: "You are not allowed to do this. Sign in with an account that may.",
  404: "This item was not found. It may have been removed.",
  409: "This change conflicts with the item's current state.",
  429: "Too many requests. Wait a moment and try again.",
};

/**
 * Builds the text shown to the user for a failed request.
 *
 * DRF sends `{"detail": "..."}` for most errors and `{"field": ["..."]}`
 * for validation errors; both are turned into sentences.
 */
export function describeError(error) {
  if (axios.isCancel(error)) {
    return "The request was cancelled.";
  }
  if (!error.response) {
    if (error.code === "ECONNABORTED" || error.code === "ETIMEDOUT") {
      return "The request timed out. Try again.";
    }
    return "The server could not be reached. Check your connection and try again.";
  }

  const { status, data, headers } = error.response;
  const retryAfter = headers?.["retry-after"];
  const detail = typeof data?.detail === "string" ? data.detail : null;
  if (status === 400) {
    const fields = collectFieldErrors(data);
    const lines = Object.entries(fields).map(([field, messages]) =>
      field === "non_field_errors" || field === "detail"
        ? messages.join(" ")
        : `${field}: ${messages.join(" ")}`,
    );
    return lines.length > 0 ? lines.join("\n") : "The request was invalid.";
  }
  if (status === 429 && retryAfter) {
    const base = detail ?? STATUS_MESSAGES[429];
    return `${base} Retry after ${retryAfter} seconds.`;
  }
  if (detail) {
    return detail;
  }
  // Django's CSRF middleware answers with an HTML page, not JSON.
  if (status === 403 && typeof data === "string" && data.includes("CSRF")) {
    return "The page's security token is missing or expired. Reload the page and try again.";
  }
  if (STATUS_MESSAGES[status]) {
    return STATUS_MESSAGES[status];
  }
  if (status >= 500) {
    return `The server failed (HTTP ${status}). Try again in a moment.`;
  }
  return `The request failed (HTTP ${status}).`;
}

/** Returns `{field: [messages]}` from a DRF validation error body. */
export function collectFieldErrors(data) {
  if (!data || typeof data !== "object" || Array.isArray(data)) {
    return {};
  }
  const fields = {};
  for (const [field, value] of Object.entries(data)) {
    if (Array.isArray(value)) {
      fields[field] = value.map(String);
    } else if (typeof value === "string") {
      fields[field] = [value];
    }
  }
  return fields;
}

/**
 * Adds `userMessage` (a sentence for the page) and `fieldErrors` (for
 * forms) to every failed response, so that pages never parse bodies.
 */
export function annotateError(error) {
  error.userMessage = describeError(error);
  error.fieldErrors =
    error.response?.status === 400 ? collectFieldErrors(error.response.data) : {};
  return Promise.reject(error);
}

export function createClient() {
  const client = axios.create({
    baseURL: "/",
    timeout: 15000,
    withCredentials: true,
    xsrfCookieName: CSRF_COOKIE_NAME,
    xsrfHeaderName: CSRF_HEADER_NAME,
    headers: { Accept: "application/json" },
  });
  client.interceptors.response.use((response) => response, annotateError);
  return client;
}

export const client = createClient();
