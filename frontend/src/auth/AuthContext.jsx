import { createContext, useCallback, useContext, useEffect, useMemo, useState } from "react";

import * as session from "./session";

const AuthContext = createContext(null);

/** Provides the signed-in user, loaded once and updated on sign-in and out. */
export function AuthProvider({ initialUser, children }) {
  const [user, setUser] = useState(initialUser ?? null);
  const [loaded, setLoaded] = useState(initialUser !== undefined);

  useEffect(() => {
    if (loaded) {
      return;
    }
    session
      .fetchSession()
      .then(setUser)
      .catch(() => setUser(null))
      .finally(() => setLoaded(true));
  }, [loaded]);

  const signIn = useCallback(async (credentials) => {
    const signedIn = await session.signIn(credentials);
    setUser(signedIn);
    return signedIn;
  }, []);

  const signOut = useCallback(async () => {
    await session.signOut();
    setUser(null);
  }, []);

  // Sign-up, email verification and password reset sign in through their
  // own allauth calls and pass the user they return here.
  const setSignedInUser = useCallback((signedIn) => setUser(signedIn), []);

  const value = useMemo(
    () => ({ user, loaded, signIn, signOut, setSignedInUser }),
    [user, loaded, signIn, signOut, setSignedInUser],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth() {
  const value = useContext(AuthContext);
  if (value === null) {
    throw new Error("useAuth must be called inside <AuthProvider>.");
  }
  return value;
}
