import { useState } from "react";

/**
 * Renders the listing's photo, or a "No photo" tile when there is none or it fails
 * to load (catalog images live on another host that may be unreachable).
 */
export function ListingPhoto({ src, alt, large = false }) {
  const [failed, setFailed] = useState(false);
  if (!src || failed) {
    // An empty alt marks a decorative image, so the tile is hidden too.
    const label = alt ? { role: "img", "aria-label": alt } : { "aria-hidden": true };
    return (
      <div className={large ? "no-photo large" : "no-photo"} {...label}>
        No photo
      </div>
    );
  }
  return <img src={src} alt={alt} loading="lazy" onError={() => setFailed(true)} />;
}
