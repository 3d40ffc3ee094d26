import { useEffect, useState } from "react";

import { updateProfile } from "../api/account";

export const DISPLAY_NAME_MAX_LENGTH = 80;
const AVATAR_ACCEPT = "image/jpeg,image/png,image/webp,image/gif";

/** Renders the display name and avatar form; `onSaved(profile)` gets the saved profile. */
export function ProfileForm({ profile, onSaved }) {
  const [displayName, setDisplayName] = useState(profile.display_name ?? "");
  const [avatar, setAvatar] = useState(null);
  const [preview, setPreview] = useState(null);
  const [removeAvatar, setRemoveAvatar] = useState(false);
  const [errors, setErrors] = useState({});
  const [formError, setFormError] = useState(null);
  const [saved, setSaved] = useState(false);
  const [sending, setSending] = useState(false);
  // A new key empties the file input after a save.
  const [fileInputKey, setFileInputKey] = useState(0);

  useEffect(() => {
    if (!avatar) {
      setPreview(null);
      return undefined;
    }
    const url = URL.createObjectURL(avatar);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [avatar]);

  async function handleSubmit(event) {
    event.preventDefault();
    setSaved(false);
    setFormError(null);
    if (displayName.trim().length > DISPLAY_NAME_MAX_LENGTH) {
      setErrors({
        display_name: `Display name has ${displayName.trim().length} characters; the maximum is ${DISPLAY_NAME_MAX_LENGTH}.`,
      });
      return;
    }
    setErrors({});
    setSending(true);
    try {
      const updated = await updateProfile({ displayName: displayName.trim(), avatar, removeAvatar });
      setAvatar(null);
      setFileInputKey((key) => key + 1);
      setRemoveAvatar(false);
      setSaved(true);
      onSaved(updated);
    } catch (failure) {
      const fieldErrors = {};
      for (const [field, messages] of Object.entries(failure.fieldErrors ?? {})) {
        fieldErrors[field] = messages.join(" ");
      }
      setErrors(fieldErrors);
      setFormError(failure.userMessage ?? "Saving the profile failed. Try again.");
    } finally {
      setSending(false);
    }
  }

  const shownAvatar = preview ?? (removeAvatar ? null : profile.avatar);
  return (
    <form className="stack" onSubmit={handleSubmit} noValidate>
      <div className="avatar-row">
        {shownAvatar ? (
          <img className="avatar" src={shownAvatar} alt="Your avatar" />
        ) : (
          <div className="avatar no-photo" role="img" aria-label="No avatar">
            {(profile.display_name || profile.email || "?").slice(0, 1).toUpperCase()}
          </div>
        )}
      </div>
      <label htmlFor="profile-display-name">Display name</label>
      <input
        id="profile-display-name"
        value={displayName}
        onChange={(event) => setDisplayName(event.target.value)}
        autoComplete="nickname"
        aria-invalid={Boolean(errors.display_name)}
        aria-describedby={errors.display_name ? "profile-display-name-error" : "profile-display-name-help"}
      />
      <p id="profile-display-name-help" className="field-help">
        Shown to others instead of your username; leave it empty to show the username.
      </p>
      {errors.display_name && (
        <p id="profile-display-name-error" className="field-error">
          {errors.display_name}
        </p>
      )}
      <label htmlFor="profile-avatar">Avatar</label>
      <input
        key={fileInputKey}
        id="profile-avatar"
        type="file"
        accept={AVATAR_ACCEPT}
        onChange={(event) => setAvatar(event.target.files[0] ?? null)}
        aria-invalid={Boolean(errors.avatar)}
        aria-describedby={errors.avatar ? "profile-avatar-error" : undefined}
      />
      {errors.avatar && (
        <p id="profile-avatar-error" className="field-error">
          {errors.avatar}
        </p>
      )}
      {profile.avatar && !avatar && (
        <label className="check">
          <input type="checkbox" checked={removeAvatar} onChange={(event) => setRemoveAvatar(event.target.checked)} />
          Remove the avatar
        </label>
      )}
      {formError && (
        <p className="error-box" role="alert">
          {formError}
        </p>
      )}
      {saved && (
        <p className="hint" role="status">
          Profile saved.
        </p>
      )}
      <button type="submit" className="primary" disabled={sending}>
        {sending ? "Saving…" : "Save the profile"}
      </button>
    </form>
  );
}
