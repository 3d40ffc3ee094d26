// Sign-up, email verification, password reset and the provider list, through
// allauth's headless browser API (the same rules as the server-rendered
// pages: mandatory verification, rate limits, no account enumeration).
import { client } from "../api/client";
import { AUTH_PATH, toAppUser } from "./session";

export const CONFIG_PATH = "/_allauth/browser/v1/config";
export const SIGNUP_PATH = `${AUTH_PATH}/signup`;
export const VERIFY_EMAIL_PATH = `${AUTH_PATH}/email/verify`;
export const PASSWORD_REQUEST_PATH = `${AUTH_PATH}/password/request`;
export const PASSWORD_RESET_PATH = `${AUTH_PATH}/password/reset`;
export const PROVIDER_REDIRECT_PATH = `${AUTH_PATH}/provider/redirect`;

/**
 * Splits allauth's 400 body `{"errors": [{code, message, param}]}` into
 * messages per input (`param`) and messages about the whole form.
 */
export function collectAllauthErrors(data) {
  const fields = {};
  const general = [];
  for (const item of Array.isArray(data?.errors) ? data.errors : []) {
    if (item.param) {
      fields[item.param] = [...(fields[item.param] ?? []), item.message];
    } else {
      general.push(item.message);
    }
  }
  return { fields, general };
}

/**
 * Rethrows a failed allauth call with `userMessage` and `fieldErrors` taken
 * from allauth's error list, which the axios client does not read.
 */
function annotateAllauthError(error) {
  if (error.response?.status === 400) {
    const { fields, general } = collectAllauthErrors(error.response.data);
    error.fieldErrors = Object.fromEntries(
      Object.entries(fields).map(([param, messages]) => [param, messages.join(" ")]),
    );
    const lines = [...general, ...Object.values(error.fieldErrors)];
    if (lines.length > 0) {
      error.userMessage = lines.join(" ");
    }
  }
  return error;
}

function pendingFlows(data) {
  return (data?.data?.flows ?? []).filter((flow) => flow.is_pending).map((flow) => flow.id);
}

/**
 * Creates an account. Returns `{user}` when it is signed in at once, or
 * `{pending: ["verify_email"]}` when the address must be confirmed first.
 * allauth responds the same for an address that already has an account, so
 * the page never reveals whether an address is registered.
 */
export async function signUp({ email, username, password }) {
  const body = { email, password };
  if (username) {
    body.username = username;
  }
  try {
    const response = await client.post(SIGNUP_PATH, body);
    return { user: toAppUser(response.data), pending: [] };
  } catch (error) {
    if (error.response?.status === 401) {
      return { user: null, pending: pendingFlows(error.response.data) };
    }
    throw annotateAllauthError(error);
  }
}

/** Returns `{email}` of a verification key, or throws for a bad key. */
export async function fetchVerification(key) {
  try {
    const response = await client.get(VERIFY_EMAIL_PATH, {
      headers: { "X-Email-Verification-Key": key },
    });
    return { email: response.data.data?.email ?? null };
  } catch (error) {
    throw annotateAllauthError(error);
  }
}

/**
 * Confirms an address. Returns the signed-in user when this browser started
 * the sign-up (allauth then finishes it), else null: the address is
 * confirmed and the person signs in next.
 */
export async function verifyEmail(key) {
  try {
    const response = await client.post(VERIFY_EMAIL_PATH, { key });
    return toAppUser(response.data);
  } catch (error) {
    if (error.response?.status === 401) {
      return null;
    }
    throw annotateAllauthError(error);
  }
}

/** Asks for a reset mail; allauth responds alike for unknown addresses. */
export async function requestPasswordReset(email) {
  try {
    await client.post(PASSWORD_REQUEST_PATH, { email });
  } catch (error) {
    throw annotateAllauthError(error);
  }
}

/** Checks a password reset key before the form requests a new password. */
export async function checkPasswordResetKey(key) {
  try {
    await client.get(PASSWORD_RESET_PATH, { headers: { "X-Password-Reset-Key": key } });
  } catch (error) {
    throw annotateAllauthError(error);
  }
}

/**
 * Sets a new password with a reset key. allauth responds with 401 after a
 * successful reset because it does not sign in (ACCOUNT_LOGIN_ON_PASSWORD_RESET
 * is off), and 200 when it does.
 */
export async function resetPassword({ key, password }) {
  try {
    const response = await client.post(PASSWORD_RESET_PATH, { key, password });
    return toAppUser(response.data);
  } catch (error) {
    if (error.response?.status === 401) {
      return null;
    }
    throw annotateAllauthError(error);
  }
}

let providersPromise = null;

/**
 * Returns the social providers that the server has configured for
 * redirect sign-in, as `[{id, name}]`, fetched once per page load.
 */
export function fetchProviders() {
  if (providersPromise === null) {
    providersPromise = client
      .get(CONFIG_PATH)
      .then((response) => listRedirectProviders(response.data))
      .catch((error) => {
        providersPromise = null;
        throw error;
      });
  }
  return providersPromise;
}

/** Picks the providers that support allauth's redirect flow from a config. */
export function listRedirectProviders(config) {
  const providers = config?.data?.socialaccount?.providers ?? [];
  return providers
    .filter((provider) => (provider.flows ?? []).includes("provider_redirect"))
    .map((provider) => ({ id: provider.id, name: provider.name }));
}

/** Forgets the cached provider list; for tests. */
export function resetProviderCache() {
  providersPromise = null;
}
