import { useEffect, useState } from "react";
import { Link } from "react-router-dom";

import { fetchNotifications, markNotificationRead } from "../api/shop";
import { useAuth } from "../auth/AuthContext";
import { formatDateTime } from "../format";
import { usePageTitle } from "../hooks/usePageTitle";
import { LoadedList } from "../shop/LoadedList";
import { useShop } from "../shop/ShopContext";
import { SignInFirst } from "../shop/SignInFirst";
import { useLoaded } from "../shop/useLoaded";

/** Returns the app path that a notification is about, or null. */
export function notificationLink(notification) {
  const data = notification.data ?? {};
  if (data.order) {
    return "/orders";
  }
  if (data.offer) {
    return "/offers";
  }
  const listing = notification.listing ?? data.listing;
  return listing ? `/listings/${listing}` : null;
}

function NotificationList() {
  const list = useLoaded(fetchNotifications);
  const shop = useShop();
  const { setItems } = list;
  const { subscribe, setUnreadCount } = shop;
  const [marking, setMarking] = useState(null);
  const [error, setError] = useState(null);

  // Pushed notifications join the top of the list while the page is open.
  useEffect(
    () =>
      subscribe((notification) =>
        setItems((items) =>
          items.some((item) => item.id === notification.id) ? items : [notification, ...items],
        ),
      ),
    [subscribe, setItems],
  );

  async function handleRead(notification) {
    setMarking(notification.id);
    setError(null);
    try {
      const changed = await markNotificationRead(notification.id);
      setItems((items) => items.map((item) => (item.id === changed.id ? changed : item)));
      setUnreadCount((count) => Math.max((count ?? 1) - 1, 0));
    } catch (failure) {
      setError(failure.userMessage ?? "Marking it read failed. Try again.");
    } finally {
      setMarking(null);
    }
  }

  return (
    <>
      {error && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}
      <LoadedList
        list={list}
        loadingLabel="Loading your notifications"
        emptyMessage="No notifications yet. Offers, orders and price drops on your favorites appear here."
        className="cart-lines"
      >
        {(notification) => {
          const link = notificationLink(notification);
          const unread = notification.read_at === null;
          return (
            <li key={notification.id} className={unread ? "cart-line unread" : "cart-line"}>
              <div>
                <p>
                  {unread && <span className="badge">New </span>}
                  {link ? <Link to={link}>{notification.message}</Link> : notification.message}
                </p>
                <p className="meta">{formatDateTime(notification.created_at)}</p>
              </div>
              {unread && (
                <button
                  type="button"
                  onClick={() => handleRead(notification)}
                  disabled={marking !== null}
                  aria-label={`Mark as read: ${notification.message}`}
                >
                  Mark as read
                </button>
              )}
            </li>
          );
        }}
      </LoadedList>
    </>
  );
}

export function NotificationsPage() {
  const { user } = useAuth();
  usePageTitle("Notifications");
  return (
    <>
      <h1>Notifications</h1>
      {user ? <NotificationList /> : <SignInFirst what="your notifications" />}
    </>
  );
}
