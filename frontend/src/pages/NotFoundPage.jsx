import { Link } from "react-router-dom";

import { usePageTitle } from "../hooks/usePageTitle";

export function NotFoundPage() {
  usePageTitle("Page not found");
  return (
    <>
      <h1>Page not found</h1>
      <p>
        This address is not a page of the app. <Link to="/">Go to the feed</Link>.
      </p>
    </>
  );
}
