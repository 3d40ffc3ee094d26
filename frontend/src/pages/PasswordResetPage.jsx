import { useEffect, useState } from "react";
import { Link, useParams } from "react-router-dom";

import { checkPasswordResetKey, requestPasswordReset, resetPassword } from "../auth/account";
import { useAuth } from "../auth/AuthContext";
import { PASSWORD_MIN_LENGTH } from "../account/validation";
import { Spinner } from "../components/Spinner";
import { usePageTitle } from "../hooks/usePageTitle";

/** Asks for a reset mail. allauth responds alike whether or not the address is known. */
export function PasswordResetRequestPage() {
  usePageTitle("Reset your password");
  const [email, setEmail] = useState("");
  const [error, setError] = useState(null);
  const [sending, setSending] = useState(false);
  const [sentTo, setSentTo] = useState(null);

  async function handleSubmit(event) {
    event.preventDefault();
    const address = email.trim();
    if (!address.includes("@")) {
      setError("Enter the email address of your account.");
      return;
    }
    setSending(true);
    setError(null);
    try {
      await requestPasswordReset(address);
      setSentTo(address);
    } catch (failure) {
      setError(failure.userMessage ?? "Sending the mail failed. Try again.");
    } finally {
      setSending(false);
    }
  }

  if (sentTo) {
    return (
      <>
        <h1>Check your email</h1>
        <p role="status">
          If <strong>{sentTo}</strong> is the confirmed address of an account, we sent it a link to
          choose a new password.
        </p>
      </>
    );
  }
  return (
    <>
      <h1>Reset your password</h1>
      <form className="stack" onSubmit={handleSubmit} noValidate>
        <label htmlFor="reset-email">Email</label>
        <input
          id="reset-email"
          type="email"
          autoComplete="email"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          required
        />
        {error && (
          <p className="error-box" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={sending}>
          {sending ? "Sending…" : "Send the link"}
        </button>
      </form>
    </>
  );
}

/** The page that the reset mail links to: choose a new password. */
export function PasswordResetFromKeyPage() {
  const { key } = useParams();
  const { setSignedInUser } = useAuth();
  usePageTitle("Choose a new password");
  const [status, setStatus] = useState("loading");
  const [password, setPassword] = useState("");
  const [error, setError] = useState(null);

  useEffect(() => {
    let active = true;
    checkPasswordResetKey(key)
      .then(() => active && setStatus("ready"))
      .catch((failure) => {
        if (active) {
          setError(failure.userMessage ?? "This link is not valid.");
          setStatus("invalid");
        }
      });
    return () => {
      active = false;
    };
  }, [key]);

  async function handleSubmit(event) {
    event.preventDefault();
    if (password.length < PASSWORD_MIN_LENGTH) {
      setError(`Password has ${password.length} characters; use at least ${PASSWORD_MIN_LENGTH}.`);
      return;
    }
    setStatus("sending");
    setError(null);
    try {
      const user = await resetPassword({ key, password });
      if (user) {
        setSignedInUser(user);
      }
      setStatus("done");
    } catch (failure) {
      setError(failure.userMessage ?? "Changing the password failed. Try again.");
      setStatus("ready");
    }
  }

  if (status === "loading") {
    return <Spinner label="Checking the link" />;
  }
  if (status === "invalid") {
    return (
      <>
        <h1>Choose a new password</h1>
        <div className="error-box" role="alert">
          <p>{error} The link may have expired or been used already.</p>
          <p>
            <Link to="/password/reset">Ask for a new link</Link>.
          </p>
        </div>
      </>
    );
  }
  if (status === "done") {
    return (
      <>
        <h1>Password changed</h1>
        <p role="status">
          Your password is changed. <Link to="/sign-in">Sign in</Link> with it.
        </p>
      </>
    );
  }
  return (
    <>
      <h1>Choose a new password</h1>
      <form className="stack" onSubmit={handleSubmit} noValidate>
        <label htmlFor="reset-password">New password</label>
        <input
          id="reset-password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          required
        />
        {error && (
          <p className="error-box" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={status === "sending"}>
          {status === "sending" ? "Saving…" : "Save the password"}
        </button>
      </form>
    </>
  );
}
