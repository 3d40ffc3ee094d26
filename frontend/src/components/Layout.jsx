import { NavLink, Outlet, useNavigate } from "react-router-dom";
import { useState } from "react";

import { useAuth } from "../auth/AuthContext";
import { ThemeToggle } from "../theme/ThemeToggle";

export function Layout() {
  const { user, signOut } = useAuth();
  const navigate = useNavigate();
  const [signOutError, setSignOutError] = useState(null);

  async function handleSignOut() {
    setSignOutError(null);
    try {
      await signOut();
      navigate("/");
    } catch (error) {
      setSignOutError(error.userMessage ?? "Signing out failed. Try again.");
    }
  }

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <NavLink to="/" className="brand" end>
          Marketplace
        </NavLink>
        <nav aria-label="Main">
          <NavLink to="/search">Search</NavLink>
          <NavLink to="/sell">Sell</NavLink>
          {user ? (
            <>
              <span className="who" title="Signed in">
                {user.username}
              </span>
              <button type="button" className="link-button" onClick={handleSignOut}>
                Sign out
              </button>
            </>
          ) : (
            <NavLink to="/sign-in">Sign in</NavLink>
          )}
          <ThemeToggle />
        </nav>
      </header>
      {signOutError && (
        <p className="error-box" role="alert">
          {signOutError}
        </p>
      )}
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
