// Every sign-in call of the app goes through this module. It speaks
// allauth's headless browser API, which keeps the session cookie and checks
// the CSRF token that the axios client sends in X-CSRFToken. The same rules
// as on the server-rendered pages apply: email verification, rate limits.
import { client } from "../api/client";

export const AUTH_PATH = "/_allauth/browser/v1/auth";
export const SESSION_PATH = `${AUTH_PATH}/session`;
export const LOGIN_PATH = `${AUTH_PATH}/login`;

const WRONG_CREDENTIALS = new Set(["username_password_mismatch", "email_password_mismatch"]);

/** Converts allauth's user object into the app's user ({username}). */
export function toAppUser(body) {
  const user = body?.data?.user;
  if (!user) {
    return null;
  }
  return { username: user.username ?? user.display };
}

/**
 * Turns allauth's response to a failed sign-in into one sentence. allauth
 * returns 400 with {"errors": [{"code", "message"}]} for invalid input and 401
 * with pending "flows" when the account still has a step to take.
 */
export function describeSignInFailure(error) {
  const { status, data } = error.response ?? {};
  if (status === 400 && Array.isArray(data?.errors)) {
    if (data.errors.some((item) => WRONG_CREDENTIALS.has(item.code))) {
      return "The username or password is incorrect. Try again.";
    }
    return data.errors.map((item) => item.message).join(" ");
  }
  if (status === 401) {
    const pending = (data?.data?.flows ?? []).filter((flow) => flow.is_pending);
    if (pending.some((flow) => flow.id === "verify_email")) {
      return "Confirm your email address first: open the link in the mail we sent, then sign in.";
    }
    return "Signing in needs another step; finish it on the account page.";
  }
  return error.userMessage ?? "Signing in failed. Try again.";
}

/** Returns the signed-in user ({username}) or null. */
export async function fetchSession() {
  try {
    const response = await client.get(SESSION_PATH);
    return toAppUser(response.data);
  } catch (error) {
    // allauth returns 401 when no user is signed in.
    if (error.response?.status === 401) {
      return null;
    }
    throw error;
  }
}

export async function signIn({ username, password }) {
  try {
    const response = await client.post(LOGIN_PATH, { username, password });
    return toAppUser(response.data);
  } catch (error) {
    error.userMessage = describeSignInFailure(error);
    throw error;
  }
}

export async function signOut() {
  try {
    await client.delete(SESSION_PATH);
  } catch (error) {
    // A successful sign-out returns 401, because the session is signed out.
    if (error.response?.status !== 401) {
      throw error;
    }
  }
}
