import { useEffect, useState } from "react";
import { useSearchParams } from "react-router-dom";

import { CSRF_COOKIE_NAME } from "../api/client";
import { fetchProviders, PROVIDER_REDIRECT_PATH } from "../auth/account";

// Django's CSRF middleware reads the token of a plain form POST from this
// field, because a form navigation cannot send the X-CSRFToken header.
const CSRF_FORM_FIELD = "csrfmiddlewaretoken";

// Codes that allauth appends to the callback URL as `?error=` when a
// provider sign-in fails.
const PROVIDER_ERRORS = {
  cancelled: "You cancelled the sign-in with the provider.",
  denied: "The provider did not allow the sign-in.",
  signup_closed: "Sign-up is closed.",
  permission_denied: "This account may not sign in here.",
  reauthentication_required: "Sign in again with the provider to continue.",
};

export function readCookie(name, cookies = document.cookie) {
  for (const part of cookies.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) {
      return decodeURIComponent(rest.join("="));
    }
  }
  return "";
}

/** Describes the `error` that allauth adds to the callback URL. */
export function describeProviderError(code) {
  return (
    PROVIDER_ERRORS[code] ??
    `Signing in with the provider failed (${code}). Try again or use your password.`
  );
}

// NOTE: the app has no page yet for a provider sign-in that needs another
// step (allauth's pending "provider_signup" flow, used when the provider
// sends no usable email address). The person then lands back on the
// sign-in page without being signed in.
/**
 * Renders one "Continue with …" button per social provider that the server
 * has configured. Each is a form POST to allauth's provider redirect, which
 * sends the browser to the provider and back to `callbackPath` in the app.
 */
export function ProviderButtons({ callbackPath, heading = "Or continue with" }) {
  const [searchParams] = useSearchParams();
  const [providers, setProviders] = useState([]);
  const [loadError, setLoadError] = useState(null);
  const providerError = searchParams.get("error");

  useEffect(() => {
    let active = true;
    fetchProviders()
      .then((list) => active && setProviders(list))
      .catch((error) => active && setLoadError(error.userMessage ?? "The sign-in providers could not be loaded."));
    return () => {
      active = false;
    };
  }, []);

  return (
    <>
      {providerError && (
        <p className="error-box" role="alert">
          {describeProviderError(providerError)}
        </p>
      )}
      {loadError && <p className="field-help">{loadError}</p>}
      {providers.length > 0 && (
        <section className="provider-buttons" aria-label="Social sign-in">
          <h2>{heading}</h2>
          {providers.map((provider) => (
            <form key={provider.id} method="post" action={PROVIDER_REDIRECT_PATH}>
              <input type="hidden" name="provider" value={provider.id} />
              <input type="hidden" name="process" value="login" />
              <input type="hidden" name="callback_url" value={callbackPath} />
              <input type="hidden" name={CSRF_FORM_FIELD} value={readCookie(CSRF_COOKIE_NAME)} />
              <button type="submit">Continue with {provider.name}</button>
            </form>
          ))}
        </section>
      )}
    </>
  );
}
