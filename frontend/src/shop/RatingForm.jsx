import { useState } from "react";

import { rateOrder } from "../api/shop";

// orders.models.Rating: its tags, score range and comment length, and
// orders/services/ratings.py MAX_TAGS. The API checks them again.
export const RATING_TAGS = [
  ["punctual", "On time"],
  ["friendly", "Friendly"],
  ["as_described", "Item as described"],
  ["quick_replies", "Quick replies"],
  ["fair_price", "Fair price"],
  ["late", "Late"],
  ["no_show", "Did not show up"],
  ["not_as_described", "Item not as described"],
  ["rude", "Rude"],
];
export const SCORES = [1, 2, 3, 4, 5];
export const MAX_TAGS = 5;
export const MAX_COMMENT_LENGTH = 500;

/** Checks a rating before it is sent; returns `{field: message}`. */
export function validateRating({ score, tags, comment }) {
  const errors = {};
  if (!SCORES.includes(score)) {
    errors.score = "Score is missing; choose a whole number from 1 to 5.";
  }
  if (tags.length > MAX_TAGS) {
    errors.tags = `${tags.length} tags were chosen; the maximum is ${MAX_TAGS}.`;
  }
  if (comment.length > MAX_COMMENT_LENGTH) {
    errors.comment = `Comment has ${comment.length} characters; the maximum is ${MAX_COMMENT_LENGTH}.`;
  }
  return errors;
}

/** Rates the other party of a completed order, once. */
export function RatingForm({ order, otherParty, onRated }) {
  const [score, setScore] = useState(null);
  const [tags, setTags] = useState([]);
  const [comment, setComment] = useState("");
  const [errors, setErrors] = useState({});
  const [error, setError] = useState(null);
  const [sending, setSending] = useState(false);
  const idPrefix = `rating-${order.id}`;

  function toggleTag(tag) {
    setTags((current) => (current.includes(tag) ? current.filter((item) => item !== tag) : [...current, tag]));
  }

  async function handleSubmit(event) {
    event.preventDefault();
    const found = validateRating({ score, tags, comment });
    setErrors(found);
    setError(null);
    if (Object.keys(found).length > 0) {
      return;
    }
    setSending(true);
    try {
      onRated(await rateOrder(order.id, { score, tags, comment }));
    } catch (failure) {
      const fields = failure.fieldErrors ?? {};
      setErrors(Object.fromEntries(Object.entries(fields).map(([field, messages]) => [field, messages.join(" ")])));
      setError(failure.userMessage ?? "Rating failed. Try again.");
      setSending(false);
    }
  }

  return (
    <form className="rating-form" onSubmit={handleSubmit} noValidate aria-label={`Rate ${otherParty}`}>
      <p className="field-help">
        Rate {otherParty} once for this order: a score from 1 (bad) to 5 (great), up to {MAX_TAGS} tags and a
        comment of at most {MAX_COMMENT_LENGTH} characters. A rating cannot be changed, and it moves{" "}
        {otherParty}&apos;s trust score.
      </p>
      <fieldset aria-describedby={errors.score ? `${idPrefix}-score-error` : undefined}>
        <legend>Score</legend>
        <div className="chip-row">
          {SCORES.map((value) => (
            <label key={value} className="check">
              <input
                type="radio"
                name={`${idPrefix}-score`}
                value={value}
                checked={score === value}
                onChange={() => setScore(value)}
              />
              {value}
            </label>
          ))}
        </div>
        {errors.score && (
          <p className="field-error" id={`${idPrefix}-score-error`}>
            {errors.score}
          </p>
        )}
      </fieldset>
      <fieldset>
        <legend>Tags (up to {MAX_TAGS})</legend>
        <div className="chip-row">
          {RATING_TAGS.map(([value, label]) => (
            <label key={value} className="check">
              <input type="checkbox" checked={tags.includes(value)} onChange={() => toggleTag(value)} />
              {label}
            </label>
          ))}
        </div>
        {errors.tags && <p className="field-error">{errors.tags}</p>}
      </fieldset>
      <label htmlFor={`${idPrefix}-comment`}>Comment (optional)</label>
      <textarea
        id={`${idPrefix}-comment`}
        rows={2}
        value={comment}
        onChange={(event) => setComment(event.target.value)}
        aria-invalid={errors.comment ? "true" : "false"}
      />
      <p className="field-help">
        {comment.length} of {MAX_COMMENT_LENGTH} characters
      </p>
      {errors.comment && <p className="field-error">{errors.comment}</p>}
      {error && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}
      <div>
        <button type="submit" className="primary" disabled={sending}>
          {sending ? "Sending…" : `Rate ${otherParty}`}
        </button>
      </div>
    </form>
  );
}
