import { useAuth } from "../auth/AuthContext";
import { ListingCard } from "../components/ListingCard";
import { CONNECTION, useSessionSocket } from "./useSessionSocket";

/**
 * Renders the live "next for you" strip of a listing page. Opening the
 * page sends a view over the session socket, and the suggestions that the
 * server pushes back replace the strip's cards. The strip renders nothing
 * until there is something to suggest. While a lost connection is being
 * reopened and the HTTP endpoint polled, a quiet notice shows.
 */
// NOTE: ListingPage renders this only once its listing has loaded, so each
// move to another listing closes the socket and opens a new one.
export function NextForYou({ listingId }) {
  const { user } = useAuth();
  const { connection, suggestions, fallbackError } = useSessionSocket({
    listingId,
    identity: user?.username ?? null,
  });
  // The server leaves out the viewed listing, but a push for the previous
  // page may still arrive after a move to the next one.
  const cards = suggestions.filter((listing) => String(listing.id) !== String(listingId));

  if (cards.length === 0 && !fallbackError) {
    return null;
  }
  return (
    <section className="strip next-for-you" aria-labelledby="next-for-you-heading">
      <h2 id="next-for-you-heading">Next for you</h2>
      {/* The status region stays in place, so that screen readers
          announce the notice when it appears. */}
      <p className="live-notice" role="status">
        {connection === CONNECTION.RECONNECTING ? "Reconnecting…" : ""}
      </p>
      {fallbackError && <p className="live-notice">{fallbackError}</p>}
      {cards.length > 0 && (
        <ul className="cards">
          {cards.map((listing) => (
            <ListingCard key={listing.id} listing={listing} />
          ))}
        </ul>
      )}
    </section>
  );
}
