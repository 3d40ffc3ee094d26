import { useState } from "react";

import { ListingPhoto } from "../components/ListingPhoto";

/**
 * Renders a listing's photos: one large photo and a row of thumbnails
 * that choose it. The arrow keys move between photos while a thumbnail
 * has the focus. A listing without photos of its own shows `fallbackUrl`
 * (the catalog product's image) or the "No photo" tile.
 */
export function PhotoGallery({ photos, title, fallbackUrl }) {
  const [current, setCurrent] = useState(0);
  const count = photos?.length ?? 0;
  if (count === 0) {
    return (
      <div className="gallery">
        <ListingPhoto src={fallbackUrl} alt={title} large />
      </div>
    );
  }
  const shownIndex = Math.min(current, count - 1);

  function onKeyDown(event) {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (step === undefined) {
      return;
    }
    event.preventDefault();
    const next = (shownIndex + step + count) % count;
    setCurrent(next);
    event.currentTarget.parentElement.children[next]?.focus();
  }

  return (
    <div className="gallery">
      <ListingPhoto
        src={photos[shownIndex].url}
        alt={count > 1 ? `${title}, photo ${shownIndex + 1} of ${count}` : title}
        large
      />
      {count > 1 && (
        <div className="thumbnails" role="group" aria-label="Choose a photo">
          {photos.map((photo, index) => (
            <button
              key={photo.id}
              type="button"
              className="thumbnail"
              aria-label={`Photo ${index + 1} of ${count}`}
              aria-pressed={index === shownIndex}
              tabIndex={index === shownIndex ? 0 : -1}
              onClick={() => setCurrent(index)}
              onKeyDown={onKeyDown}
            >
              <img src={photo.thumbnail_url ?? photo.url} alt="" loading="lazy" />
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
