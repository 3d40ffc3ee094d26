import { useEffect, useRef, useState } from "react";

import {
  ACCEPTED_FORMATS_TEXT,
  appendPhotos,
  canMovePhoto,
  checkPhotoFile,
  MAX_PHOTOS_PER_LISTING,
  movePhoto,
  PHOTO_INPUT_ACCEPT,
  removePhoto,
} from "./photoList";

function PhotoPreview({ entry }) {
  const [failed, setFailed] = useState(false);
  // Chromium and Firefox cannot show HEIC files; the server converts them.
  if (failed || !entry.previewUrl) {
    return (
      <div className="photo-preview no-photo" aria-hidden="true">
        No preview
      </div>
    );
  }
  return <img className="photo-preview" src={entry.previewUrl} alt="" onError={() => setFailed(true)} />;
}

/**
 * Renders the photo list of a listing form: choose files, see previews,
 * reorder and remove them before they are uploaded. `entries` and
 * `onChange` hold the list (see photoList.js).
 */
export function PhotoPicker({ entries, onChange, error = null }) {
  const [rejected, setRejected] = useState([]);
  const [checking, setChecking] = useState(false);
  const entriesRef = useRef(entries);
  entriesRef.current = entries;

  // The object URLs of the previews live until the form goes away.
  useEffect(
    () => () => {
      for (const entry of entriesRef.current) {
        if (entry.kind === "new") {
          URL.revokeObjectURL(entry.previewUrl);
        }
      }
    },
    [],
  );

  async function handleFiles(event) {
    const files = [...event.target.files];
    event.target.value = "";
    setChecking(true);
    const checked = await Promise.all(files.map(async (file) => ({ file, error: await checkPhotoFile(file) })));
    setChecking(false);
    const result = appendPhotos(entriesRef.current, checked);
    setRejected(result.rejected);
    onChange(result.entries);
  }

  function remove(entry) {
    if (entry.kind === "new") {
      URL.revokeObjectURL(entry.previewUrl);
    }
    onChange(removePhoto(entries, entry.key));
  }

  const full = entries.length >= MAX_PHOTOS_PER_LISTING;
  return (
    <fieldset className="photo-picker">
      <legend>Photos</legend>
      <p className="field-help" id="photo-help">
        Up to {MAX_PHOTOS_PER_LISTING} {ACCEPTED_FORMATS_TEXT} photos of at most 20 MiB each. The first
        photo is shown in the feed.
      </p>
      <label htmlFor="photo-input">Add photos</label>
      <input
        id="photo-input"
        type="file"
        accept={PHOTO_INPUT_ACCEPT}
        multiple
        disabled={full || checking}
        onChange={handleFiles}
        aria-describedby="photo-help"
      />
      {full && <p className="field-help">The listing has the maximum of {MAX_PHOTOS_PER_LISTING} photos.</p>}
      {checking && (
        <p className="field-help" role="status">
          Checking the photos…
        </p>
      )}
      {rejected.length > 0 && (
        <ul className="error-box" role="alert">
          {rejected.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
      {error && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}
      {entries.length === 0 ? (
        <p className="hint">No photos yet.</p>
      ) : (
        <ol className="photo-list" aria-label="Chosen photos">
          {entries.map((entry, index) => (
            <li key={entry.key}>
              <PhotoPreview entry={entry} />
              <span className="photo-name">
                {index + 1}. {entry.name}
                {entry.kind === "stored" && (
                  <>
                    {" "}
                    <span className="badge">uploaded</span>
                  </>
                )}
              </span>
              <span className="button-row">
                <button
                  type="button"
                  aria-label={`Move ${entry.name} earlier`}
                  disabled={!canMovePhoto(entries, index, -1)}
                  onClick={() => onChange(movePhoto(entries, entry.key, -1))}
                >
                  <span aria-hidden="true">↑</span>
                </button>
                <button
                  type="button"
                  aria-label={`Move ${entry.name} later`}
                  disabled={!canMovePhoto(entries, index, 1)}
                  onClick={() => onChange(movePhoto(entries, entry.key, 1))}
                >
                  <span aria-hidden="true">↓</span>
                </button>
                <button type="button" aria-label={`Remove ${entry.name}`} onClick={() => remove(entry)}>
                  Remove
                </button>
              </span>
            </li>
          ))}
        </ol>
      )}
    </fieldset>
  );
}
