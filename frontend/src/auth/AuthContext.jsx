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

  const value = useMemo(
    () => ({ user, loaded, signIn, signOut }),
    [user, loaded, signIn, signOut],
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
