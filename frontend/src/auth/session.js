// Every sign-in call of the app goes through this module.
//
// NOTE: for now these call Django's session login behind /app/api/session/
// (webapp/views.py). allauth's headless browser API
// (/_allauth/browser/v1/auth/session, with sign-up, email verification
// and OAuth) replaces them; only this module and AuthContext.jsx change.
import { client } from "../api/client";

export const SESSION_PATH = "/app/api/session/";

/** Returns the signed-in user ({username, is_demo}) or null. */
export async function fetchSession() {
  const response = await client.get(SESSION_PATH);
  return response.data.user;
}

export async function signIn({ username, password }) {
  const response = await client.post(SESSION_PATH, { username, password });
  return response.data.user;
}

export async function signOut() {
  await client.delete(SESSION_PATH);
}
