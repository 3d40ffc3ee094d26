// The offer states of the API (orders.models.Offer.Status), worded for
// the person who made or received the offer.
export const OFFER_STATUS_TEXT = {
  pending: "waiting for the seller",
  countered: "the seller countered; waiting for the buyer",
  accepted: "accepted; the listing is held for the buyer until checkout",
  declined: "declined",
  withdrawn: "withdrawn",
  expired: "the hold expired before checkout",
  purchased: "bought",
};
