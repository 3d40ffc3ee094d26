import { Link } from "react-router-dom";

import { fetchFeedPage } from "../api/feed";
import { useAuth } from "../auth/AuthContext";
import { InfiniteList } from "../components/InfiniteList";
import { ListingCard } from "../components/ListingCard";
import { useCursorPages } from "../hooks/useCursorPages";
import { usePageTitle } from "../hooks/usePageTitle";
import { NotInterestedButton, NotInterestedNotice, useNotInterested } from "../shop/NotInterested";

export function FeedPage() {
  const { user } = useAuth();
  usePageTitle("For you");
  // A sign-in or sign-out changes the ranking, so the scroll starts over.
  const pages = useCursorPages(fetchFeedPage, user?.username ?? "");
  const notInterested = useNotInterested();

  return (
    <>
      <h1>For you</h1>
      {!user && (
        <p className="hint">
          Popular listings. <Link to="/sign-in">Sign in</Link> for a feed picked for you.
        </p>
      )}
      {user && <NotInterestedNotice state={notInterested} />}
      <InfiniteList
        label="Home feed"
        pages={pages}
        emptyMessage="Nothing to show yet. New listings appear here as sellers add them."
        renderItem={(item) =>
          notInterested.hiddenIds.has(item.listing.id) ? null : (
            <ListingCard
              key={item.key}
              listing={item.listing}
              reason={item.reason}
              actions={
                user && <NotInterestedButton listing={item.listing} onHide={notInterested.hide} />
              }
            />
          )
        }
      />
    </>
  );
}
