import { useEffect, useState } from "react";
import { Link, useParams } from "react-router-dom";

import { fetchVerification, verifyEmail } from "../auth/account";
import { useAuth } from "../auth/AuthContext";
import { Spinner } from "../components/Spinner";
import { usePageTitle } from "../hooks/usePageTitle";

/**
 * Renders the page that the verification mail links to. It confirms only
 * on a click, never on load, so that mail scanners that open links confirm
 * nothing (as ACCOUNT_CONFIRM_EMAIL_ON_GET = False does on the server).
 */
export function VerifyEmailPage() {
  const { key } = useParams();
  const { setSignedInUser } = useAuth();
  usePageTitle("Confirm your email");
  const [state, setState] = useState({ status: "loading", email: null, error: null, user: null });

  useEffect(() => {
    let active = true;
    fetchVerification(key)
      .then(({ email }) => active && setState({ status: "ready", email, error: null, user: null }))
      .catch(
        (error) =>
          active &&
          setState({
            status: "invalid",
            email: null,
            error: error.userMessage ?? "This link is not valid.",
            user: null,
          }),
      );
    return () => {
      active = false;
    };
  }, [key]);

  async function confirm() {
    setState((current) => ({ ...current, status: "sending", error: null }));
    try {
      const user = await verifyEmail(key);
      if (user) {
        setSignedInUser(user);
      }
      setState((current) => ({ ...current, status: "confirmed", user }));
    } catch (error) {
      setState((current) => ({
        ...current,
        status: "ready",
        error: error.userMessage ?? "Confirming the address failed. Try again.",
      }));
    }
  }

  if (state.status === "loading") {
    return <Spinner label="Checking the link" />;
  }
  if (state.status === "invalid") {
    return (
      <>
        <h1>Confirm your email</h1>
        <div className="error-box" role="alert">
          <p>{state.error} The link may have expired or been used already.</p>
          <p>
            <Link to="/sign-in">Sign in</Link> to get a new link, or <Link to="/sign-up">sign up</Link>{" "}
            again.
          </p>
        </div>
      </>
    );
  }
  if (state.status === "confirmed") {
    return (
      <>
        <h1>Email confirmed</h1>
        <p role="status">
          {state.email ?? "Your address"} is confirmed.{" "}
          {state.user ? (
            <>
              You are signed in as {state.user.username}. <Link to="/sell">Sell an item</Link> or{" "}
              <Link to="/">go to your feed</Link>.
            </>
          ) : (
            <>
              <Link to="/sign-in">Sign in</Link> to continue.
            </>
          )}
        </p>
      </>
    );
  }
  return (
    <>
      <h1>Confirm your email</h1>
      <p>
        Confirm that <strong>{state.email}</strong> is your address.
      </p>
      {state.error && (
        <p className="error-box" role="alert">
          {state.error}
        </p>
      )}
      <button type="button" className="primary" onClick={confirm} disabled={state.status === "sending"}>
        {state.status === "sending" ? "Confirming…" : "Confirm the address"}
      </button>
    </>
  );
}
