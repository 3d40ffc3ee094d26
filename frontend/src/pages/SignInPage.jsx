import { useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";

import { ProviderButtons } from "../account/ProviderButtons";
import { useAuth } from "../auth/AuthContext";
import { usePageTitle } from "../hooks/usePageTitle";

/** Returns `next` when it is a path inside the app, else the feed. */
export function safeNextPath(next) {
  if (typeof next === "string" && next.startsWith("/") && !next.startsWith("//")) {
    return next;
  }
  return "/";
}

export function SignInPage() {
  const { signIn, user } = useAuth();
  usePageTitle("Sign in");
  const navigate = useNavigate();
  const [searchParams] = useSearchParams();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState(null);
  const [sending, setSending] = useState(false);

  async function handleSubmit(event) {
    event.preventDefault();
    if (!username.trim() || !password) {
      setError("Enter your username and password.");
      return;
    }
    setSending(true);
    setError(null);
    try {
      await signIn({ username: username.trim(), password });
      navigate(safeNextPath(searchParams.get("next")));
    } catch (failure) {
      setError(failure.userMessage ?? "Signing in failed. Try again.");
      setSending(false);
    }
  }

  if (user) {
    return (
      <>
        <h1>Sign in</h1>
        <p>
          You are signed in as {user.username}. <Link to="/">Go to your feed</Link>.
        </p>
      </>
    );
  }

  return (
    <>
      <h1>Sign in</h1>
      <form className="stack" onSubmit={handleSubmit} noValidate>
        <label htmlFor="sign-in-username">Username</label>
        <input
          id="sign-in-username"
          autoComplete="username"
          value={username}
          onChange={(event) => setUsername(event.target.value)}
          required
        />
        <label htmlFor="sign-in-password">Password</label>
        <input
          id="sign-in-password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          required
        />
        {error && (
          <p className="error-box" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={sending}>
          {sending ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p className="hint">
        <Link to="/password/reset">Forgot your password?</Link> New here?{" "}
        <Link to="/sign-up">Create an account</Link>.
      </p>
      <ProviderButtons callbackPath="/app/sign-in" />
    </>
  );
}
