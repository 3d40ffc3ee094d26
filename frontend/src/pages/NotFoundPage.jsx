import { Link } from "react-router-dom";

export function NotFoundPage() {
  return (
    <>
      <h1>Page not found</h1>
      <p>
        This address is not a page of the app. <Link to="/">Go to the feed</Link>.
      </p>
    </>
  );
}
