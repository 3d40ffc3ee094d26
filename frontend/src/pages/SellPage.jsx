import { Link, useNavigate } from "react-router-dom";

import { createListingWithPhotos } from "../api/listingEditing";
import { useAuth } from "../auth/AuthContext";
import { Spinner } from "../components/Spinner";
import { usePageTitle } from "../hooks/usePageTitle";
import { SellForm } from "../sell/SellForm";

export function SellPage() {
  const { user, loaded } = useAuth();
  const navigate = useNavigate();
  usePageTitle("Sell an item");

  if (!loaded) {
    return <Spinner />;
  }
  if (!user) {
    return (
      <>
        <h1>Sell an item</h1>
        <p className="hint">
          <Link to="/sign-in?next=/sell">Sign in</Link> to list an item.
        </p>
      </>
    );
  }

  async function submit(body, photos) {
    const listing = await createListingWithPhotos(
      body,
      photos.map((entry) => entry.file),
    );
    navigate(`/listings/${listing.id}`);
  }

  return (
    <>
      <h1>Sell an item</h1>
      <SellForm onSubmit={submit} />
    </>
  );
}
