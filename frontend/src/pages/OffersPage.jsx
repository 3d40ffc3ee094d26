import { fetchOffers } from "../api/shop";
import { useAuth } from "../auth/AuthContext";
import { usePageTitle } from "../hooks/usePageTitle";
import { LoadedList } from "../shop/LoadedList";
import { OfferCard } from "../shop/OfferCard";
import { SignInFirst } from "../shop/SignInFirst";
import { useLoaded } from "../shop/useLoaded";

function OfferSection({ role, title, emptyMessage }) {
  const list = useLoaded((options) => fetchOffers(role, options));
  const headingId = `offers-${role}`;
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      <LoadedList list={list} loadingLabel={`Loading ${title.toLowerCase()}`} emptyMessage={emptyMessage} className="order-list">
        {(offer) => (
          <OfferCard
            key={offer.id}
            offer={offer}
            role={role}
            onChange={(changed) => list.setItems((offers) => offers.map((item) => (item.id === changed.id ? changed : item)))}
          />
        )}
      </LoadedList>
    </section>
  );
}

export function OffersPage() {
  const { user } = useAuth();
  usePageTitle("Offers");
  return (
    <>
      <h1>Offers</h1>
      {user ? (
        <>
          <OfferSection role="selling" title="Offers on your listings" emptyMessage="No offers on your listings yet." />
          <OfferSection
            role="buying"
            title="Offers you made"
            emptyMessage="You have made no offers. Make one on a listing's page."
          />
        </>
      ) : (
        <SignInFirst what="your offers" />
      )}
    </>
  );
}
