import { Link, useLocation } from "react-router-dom";

/** Asks a signed-out visitor to sign in and come back to this page. */
export function SignInFirst({ what }) {
  const location = useLocation();
  const next = encodeURIComponent(`${location.pathname}${location.search}`);
  return (
    <p className="empty-state">
      <Link to={`/sign-in?next=${next}`}>Sign in</Link> to see {what}.
    </p>
  );
}
