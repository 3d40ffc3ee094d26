import { useEffect, useState } from "react";
import { Link } from "react-router-dom";

import { Neighbourhoods } from "../account/Neighbourhoods";
import { ProfileForm } from "../account/ProfileForm";
import { fetchProfile } from "../api/account";
import { useAuth } from "../auth/AuthContext";
import { Spinner } from "../components/Spinner";
import { formatDate } from "../format";
import { usePageTitle } from "../hooks/usePageTitle";

export function ProfilePage() {
  const { user, loaded } = useAuth();
  usePageTitle("Your profile");
  const [state, setState] = useState({ status: "loading", profile: null, error: null });

  useEffect(() => {
    if (!user) {
      return undefined;
    }
    const controller = new AbortController();
    fetchProfile({ signal: controller.signal })
      .then((profile) => setState({ status: "ready", profile, error: null }))
      .catch((error) => {
        if (!controller.signal.aborted) {
          setState({ status: "error", profile: null, error: error.userMessage });
        }
      });
    return () => controller.abort();
  }, [user]);

  if (!loaded) {
    return <Spinner />;
  }
  if (!user) {
    return (
      <>
        <h1>Your profile</h1>
        <p className="hint">
          <Link to="/sign-in?next=/profile">Sign in</Link> to see your profile.
        </p>
      </>
    );
  }
  if (state.status === "loading") {
    return <Spinner label="Loading your profile" />;
  }
  if (state.status === "error") {
    return (
      <p className="error-box" role="alert">
        {state.error}
      </p>
    );
  }

  const { profile } = state;
  const update = (changes) =>
    setState((current) => ({ ...current, profile: { ...current.profile, ...changes } }));
  return (
    <>
      <h1>Your profile</h1>
      <dl className="facts">
        <dt>Username</dt>
        <dd>{user.username}</dd>
        {profile.email && (
          <>
            <dt>Email</dt>
            <dd>{profile.email}</dd>
          </>
        )}
        <dt>Trust</dt>
        <dd className="trust">
          <strong>{profile.trust_score}°C</strong>{" "}
          <span className="meta">(everyone starts at 36.5°C; good trades warm it)</span>
        </dd>
        <dt>Member since</dt>
        <dd>{formatDate(profile.date_joined)}</dd>
      </dl>
      <section aria-labelledby="profile-heading">
        <h2 id="profile-heading">Name and avatar</h2>
        <ProfileForm profile={profile} onSaved={(saved) => update(saved)} />
      </section>
      <Neighbourhoods
        memberships={profile.neighbourhoods}
        onChange={(neighbourhoods) => update({ neighbourhoods })}
      />
    </>
  );
}
