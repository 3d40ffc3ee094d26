// Favorites, cart, checkout, offers, orders and notifications
// (orders/api/ and notifications/api/ on the server), and the feed's
// "not interested" marks (recommender/api/).
import { client } from "./client";

export const FAVORITES_PATH = "/api/v1/favorites/";
export const CART_PATH = "/api/v1/cart/";
export const CART_ITEMS_PATH = "/api/v1/cart/items/";
export const CHECKOUT_PATH = "/api/v1/checkout/";
export const ORDERS_PATH = "/api/v1/orders/";
export const OFFERS_PATH = "/api/v1/offers/";
export const NOTIFICATIONS_PATH = "/api/v1/notifications/";
export const NOT_INTERESTED_PATH = "/api/v1/feed/not-interested/";
export const ROLES = ["buying", "selling"];

function checkRole(role) {
  if (role !== undefined && !ROLES.includes(role)) {
    throw new Error(`Unknown role ${JSON.stringify(role)}; use one of ${ROLES.join(", ")}.`);
  }
}

/** Returns the signed-in user's favorites, newest first. */
export async function fetchFavorites({ signal } = {}) {
  const response = await client.get(FAVORITES_PATH, { signal });
  return response.data;
}

export async function addFavorite(listingId) {
  const response = await client.post(FAVORITES_PATH, { listing: listingId });
  return response.data;
}

export async function removeFavorite(listingId) {
  await client.delete(`${FAVORITES_PATH}${listingId}/`);
}

/** Returns the number of favorites of one listing. */
export async function fetchFavoriteCount(listingId, { signal } = {}) {
  const response = await client.get(`${FAVORITES_PATH}counts/`, {
    params: { listings: String(listingId) },
    signal,
  });
  return response.data[String(listingId)] ?? 0;
}

/** Returns the cart's lines: `{listing, price, is_available, unavailable_reason, message}`. */
export async function fetchCart({ signal } = {}) {
  const response = await client.get(CART_PATH, { signal });
  return response.data;
}

export async function addToCart(listingId) {
  const response = await client.post(CART_ITEMS_PATH, { listing: listingId });
  return response.data;
}

export async function removeFromCart(listingId) {
  await client.delete(`${CART_ITEMS_PATH}${listingId}/`);
}

/** Buys the whole cart; returns `{orders, unavailable}`. */
export async function checkoutCart() {
  const response = await client.post(CHECKOUT_PATH, {});
  return response.data;
}

export async function fetchOrders(role, { signal } = {}) {
  checkRole(role);
  const response = await client.get(ORDERS_PATH, { params: role ? { role } : {}, signal });
  return response.data;
}

export const ORDER_ACTIONS = ["complete", "cancel"];

/** Completes or cancels an order and returns the changed order. */
export async function runOrderAction(orderId, action) {
  if (!ORDER_ACTIONS.includes(action)) {
    throw new Error(`Unknown order action ${JSON.stringify(action)}; use one of ${ORDER_ACTIONS.join(", ")}.`);
  }
  const response = await client.post(`${ORDERS_PATH}${orderId}/${action}/`);
  return response.data;
}

/** Rates the other party of a completed order; returns the rating. */
export async function rateOrder(orderId, { score, tags = [], comment = "" }) {
  const response = await client.post(`${ORDERS_PATH}${orderId}/rate/`, { score, tags, comment });
  return response.data;
}

export async function fetchOffers(role, { signal } = {}) {
  checkRole(role);
  const response = await client.get(OFFERS_PATH, { params: role ? { role } : {}, signal });
  return response.data;
}

/** Offers `amount` (a decimal string in the listing's currency). */
export async function makeOffer(listingId, amount) {
  const response = await client.post(OFFERS_PATH, { listing: listingId, amount });
  return response.data;
}

export const OFFER_ACTIONS = ["accept", "decline", "withdraw"];

/** Accepts, declines or withdraws an offer and returns the changed offer. */
export async function runOfferAction(offerId, action) {
  if (!OFFER_ACTIONS.includes(action)) {
    throw new Error(`Unknown offer action ${JSON.stringify(action)}; use one of ${OFFER_ACTIONS.join(", ")}.`);
  }
  const response = await client.post(`${OFFERS_PATH}${offerId}/${action}/`);
  return response.data;
}

/** Counters an offer with `amount` (a decimal string); returns the offer. */
export async function counterOffer(offerId, amount) {
  const response = await client.post(`${OFFERS_PATH}${offerId}/counter/`, { amount });
  return response.data;
}

/** Returns the signed-in user's notifications, newest first. */
export async function fetchNotifications({ signal } = {}) {
  const response = await client.get(NOTIFICATIONS_PATH, { signal });
  return response.data;
}

/** Returns how many of the signed-in user's notifications are unread. */
export async function fetchUnreadCount({ signal } = {}) {
  const response = await client.get(`${NOTIFICATIONS_PATH}unread-count/`, { signal });
  return response.data.unread;
}

export async function markNotificationRead(notificationId) {
  const response = await client.post(`${NOTIFICATIONS_PATH}${notificationId}/read/`);
  return response.data;
}

/** Hides a listing from the signed-in user's feed. */
export async function markNotInterested(listingId) {
  const response = await client.post(`${NOT_INTERESTED_PATH}${listingId}/`);
  return response.data;
}

/** Shows a listing in the feed again. */
export async function unmarkNotInterested(listingId) {
  await client.delete(`${NOT_INTERESTED_PATH}${listingId}/`);
}
