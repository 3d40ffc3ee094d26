import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";

import { fetchCart, fetchUnreadCount } from "../api/shop";
import { useAuth } from "../auth/AuthContext";
import { openNotificationSocket } from "./notificationSocket";

// Outside a ShopProvider (in unit tests of other components) the header
// shows no counts and nothing is fetched.
const INERT = {
  cartCount: null,
  unreadCount: null,
  refreshCart: async () => {},
  refreshNotifications: async () => {},
  setUnreadCount: () => {},
  subscribe: () => () => {},
};

const ShopContext = createContext(INERT);

/**
 * Keeps the signed-in user's cart size and unread notification count for
 * the header. New notifications arrive over the notifications websocket.
 * Both counts are fetched again when the window regains focus, so pushes
 * lost while the socket was down are counted too.
 */
export function ShopProvider({ children, openSocket = openNotificationSocket }) {
  const { user } = useAuth();
  const username = user?.username ?? null;
  const [cartCount, setCartCount] = useState(null);
  const [unreadCount, setUnreadCount] = useState(null);
  const listenersRef = useRef(new Set());

  const refreshCart = useCallback(async () => {
    if (!username) {
      setCartCount(null);
      return;
    }
    try {
      setCartCount((await fetchCart()).length);
    } catch {
      // The header keeps the last count, and the cart page shows the error.
    }
  }, [username]);

  const refreshNotifications = useCallback(async () => {
    if (!username) {
      setUnreadCount(null);
      return;
    }
    try {
      setUnreadCount(await fetchUnreadCount());
    } catch {
      // The header keeps the last count, and the notifications page shows the error.
    }
  }, [username]);

  useEffect(() => {
    refreshCart();
    refreshNotifications();
    function handleFocus() {
      refreshCart();
      refreshNotifications();
    }
    window.addEventListener("focus", handleFocus);
    return () => window.removeEventListener("focus", handleFocus);
  }, [refreshCart, refreshNotifications]);

  useEffect(() => {
    if (!username) {
      return undefined;
    }
    const socket = openSocket({
      onNotification: (notification) => {
        if (notification.read_at === null) {
          setUnreadCount((count) => (count ?? 0) + 1);
        }
        for (const listener of listenersRef.current) {
          listener(notification);
        }
      },
    });
    return () => socket.close();
  }, [username, openSocket]);

  const subscribe = useCallback((listener) => {
    listenersRef.current.add(listener);
    return () => listenersRef.current.delete(listener);
  }, []);

  const value = useMemo(
    () => ({ cartCount, unreadCount, refreshCart, refreshNotifications, setUnreadCount, subscribe }),
    [cartCount, unreadCount, refreshCart, refreshNotifications, subscribe],
  );
  return <ShopContext.Provider value={value}>{children}</ShopContext.Provider>;
}

/** Returns the shop counts and their refresh functions. */
export function useShop() {
  return useContext(ShopContext);
}
