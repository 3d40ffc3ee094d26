import { useEffect, useRef, useState } from "react";
import { NavLink, Outlet, useLocation, useNavigate } from "react-router-dom";

import { useAuth } from "../auth/AuthContext";
import { ShopNav } from "../shop/ShopNav";
import { ThemeToggle } from "../theme/ThemeToggle";

export function Layout() {
  const { user, signOut } = useAuth();
  const navigate = useNavigate();
  const [signOutError, setSignOutError] = useState(null);
  const location = useLocation();
  const mainRef = useRef(null);
  const firstPathRef = useRef(location.pathname);

  // After a client-side navigation, move focus to the new page's content so
  // that keyboard and screen reader users start there. The first load keeps
  // the browser's own focus.
  useEffect(() => {
    if (location.pathname !== firstPathRef.current) {
      firstPathRef.current = null;
      mainRef.current?.focus();
    }
  }, [location.pathname]);

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
          {user && <ShopNav />}
          {user ? (
            <>
              <span className="who" title="Signed in">
                {user.username}
              </span>
              <NavLink to="/profile">Profile</NavLink>
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
      <main id="main" tabIndex={-1} ref={mainRef}>
        <Outlet />
      </main>
    </>
  );
}
