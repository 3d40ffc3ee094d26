import { useState } from "react";
import { Link, useNavigate } from "react-router-dom";

import { ProviderButtons } from "../account/ProviderButtons";
import { validateSignUp } from "../account/validation";
import { signUp } from "../auth/account";
import { useAuth } from "../auth/AuthContext";
import { usePageTitle } from "../hooks/usePageTitle";

const FIELDS = [
  { name: "email", label: "Email", type: "email", autoComplete: "email" },
  { name: "username", label: "Username", type: "text", autoComplete: "username" },
  { name: "password", label: "Password", type: "password", autoComplete: "new-password" },
];

export function SignUpPage() {
  const { user, setSignedInUser } = useAuth();
  usePageTitle("Create an account");
  const navigate = useNavigate();
  const [values, setValues] = useState({ email: "", username: "", password: "" });
  const [errors, setErrors] = useState({});
  const [formError, setFormError] = useState(null);
  const [sending, setSending] = useState(false);
  const [sentTo, setSentTo] = useState(null);

  async function handleSubmit(event) {
    event.preventDefault();
    const found = validateSignUp(values);
    setErrors(found);
    setFormError(null);
    if (Object.keys(found).length > 0) {
      return;
    }
    setSending(true);
    try {
      const result = await signUp({
        email: values.email.trim(),
        username: values.username.trim(),
        password: values.password,
      });
      if (result.user) {
        setSignedInUser(result.user);
        navigate("/");
        return;
      }
      setSentTo(values.email.trim());
    } catch (failure) {
      setErrors(failure.fieldErrors ?? {});
      setFormError(failure.userMessage ?? "Creating the account failed. Try again.");
    } finally {
      setSending(false);
    }
  }

  if (user) {
    return (
      <>
        <h1>Create an account</h1>
        <p>
          You are signed in as {user.username}. <Link to="/">Go to your feed</Link>.
        </p>
      </>
    );
  }

  if (sentTo) {
    return (
      <>
        <h1>Check your email</h1>
        <p role="status">
          We sent a link to <strong>{sentTo}</strong>. Open it to confirm your address; then you
          can sell and buy.
        </p>
        <p className="hint">
          No mail after a few minutes? Look in the spam folder, or{" "}
          <button type="button" className="link-button" onClick={() => setSentTo(null)}>
            sign up again
          </button>{" "}
          with the right address.
        </p>
      </>
    );
  }

  return (
    <>
      <h1>Create an account</h1>
      <form className="stack" onSubmit={handleSubmit} noValidate>
        {FIELDS.map((field) => (
          <div className="stack" key={field.name}>
            <label htmlFor={`sign-up-${field.name}`}>{field.label}</label>
            <input
              id={`sign-up-${field.name}`}
              type={field.type}
              autoComplete={field.autoComplete}
              value={values[field.name]}
              onChange={(event) => setValues((current) => ({ ...current, [field.name]: event.target.value }))}
              aria-invalid={Boolean(errors[field.name])}
              aria-describedby={errors[field.name] ? `sign-up-${field.name}-error` : undefined}
              required
            />
            {errors[field.name] && (
              <p id={`sign-up-${field.name}-error`} className="field-error">
                {errors[field.name]}
              </p>
            )}
          </div>
        ))}
        {formError && (
          <p className="error-box" role="alert">
            {formError}
          </p>
        )}
        <button type="submit" className="primary" disabled={sending}>
          {sending ? "Creating the account…" : "Create the account"}
        </button>
      </form>
      <ProviderButtons callbackPath="/app/sign-in" />
      <p className="hint">
        Already have an account? <Link to="/sign-in">Sign in</Link>.
      </p>
    </>
  );
}
