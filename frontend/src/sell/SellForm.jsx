import { useState } from "react";

import { CONDITION_LABELS } from "../format";
import { CatalogAutocomplete } from "./CatalogAutocomplete";
import { PhotoPicker } from "./PhotoPicker";
import {
  CONDITIONS,
  CURRENCIES,
  DESCRIPTION_MAX_LENGTH,
  TITLE_MAX_LENGTH,
  toListingBody,
  validateListing,
} from "./validation";

export const EMPTY_LISTING = {
  title: "",
  description: "",
  price: "",
  currency: "USD",
  condition: "",
  category: null,
  categoryPath: null,
  parentAsin: null,
};

/**
 * Renders the sell form, also used to edit a listing. It checks the values
 * before sending and shows the server's field messages when the API
 * rejects them. `onSubmit(body, photos)` gets the listing body and the
 * photo list (see photoList.js) and returns a promise that rejects with
 * the API error.
 */
export function SellForm({
  onSubmit,
  initialValues = EMPTY_LISTING,
  initialPhotos = [],
  submitLabel = "List the item",
  sendingLabel = "Listing…",
}) {
  const [values, setValues] = useState(initialValues);
  const [photos, setPhotos] = useState(initialPhotos);
  const [errors, setErrors] = useState({});
  const [formError, setFormError] = useState(null);
  const [sending, setSending] = useState(false);

  function update(field, value) {
    setValues((current) => ({ ...current, [field]: value }));
  }

  function prefill(product) {
    setValues((current) => ({
      ...current,
      title: product.title.slice(0, TITLE_MAX_LENGTH),
      category: product.category,
      categoryPath: product.category_path,
      parentAsin: product.parent_asin,
      price: product.suggested_price ?? current.price,
      currency: product.suggested_price ? product.suggested_currency : current.currency,
    }));
    setErrors({});
  }

  async function handleSubmit(event) {
    event.preventDefault();
    const found = validateListing(values);
    setErrors(found);
    setFormError(null);
    if (Object.keys(found).length > 0) {
      return;
    }
    setSending(true);
    try {
      await onSubmit(toListingBody(values), photos);
    } catch (error) {
      const fieldErrors = {};
      for (const [field, messages] of Object.entries(error.fieldErrors ?? {})) {
        fieldErrors[field === "parent_asin" ? "title" : field] = messages.join(" ");
      }
      setErrors(fieldErrors);
      setFormError(error.userMessage ?? "Sending the listing failed. Try again.");
    } finally {
      setSending(false);
    }
  }

  function describedBy(field) {
    return errors[field] ? `${field}-error` : undefined;
  }

  function fieldError(field) {
    return errors[field] ? (
      <p id={`${field}-error`} className="field-error">
        {errors[field]}
      </p>
    ) : null;
  }

  return (
    <form className="sell-form" onSubmit={handleSubmit} noValidate>
      <CatalogAutocomplete onSelect={prefill} />

      <label htmlFor="sell-title">Title</label>
      <input
        id="sell-title"
        value={values.title}
        onChange={(event) => update("title", event.target.value)}
        aria-invalid={Boolean(errors.title)}
        aria-describedby={describedBy("title")}
        maxLength={TITLE_MAX_LENGTH * 2}
        required
      />
      {fieldError("title")}
      {values.categoryPath && <p className="field-help">Category: {values.categoryPath}</p>}

      <label htmlFor="sell-description">Description</label>
      <textarea
        id="sell-description"
        rows={5}
        value={values.description}
        onChange={(event) => update("description", event.target.value)}
        aria-invalid={Boolean(errors.description)}
        aria-describedby={describedBy("description")}
      />
      <p className="field-help">
        {values.description.length} / {DESCRIPTION_MAX_LENGTH} characters
      </p>
      {fieldError("description")}

      <div className="field-row">
        <div>
          <label htmlFor="sell-price">Price</label>
          <input
            id="sell-price"
            inputMode="decimal"
            value={values.price}
            onChange={(event) => update("price", event.target.value)}
            aria-invalid={Boolean(errors.price)}
            aria-describedby={describedBy("price")}
            required
          />
        </div>
        <div>
          <label htmlFor="sell-currency">Currency</label>
          <select
            id="sell-currency"
            value={values.currency}
            onChange={(event) => update("currency", event.target.value)}
            aria-invalid={Boolean(errors.currency)}
            aria-describedby={describedBy("currency")}
          >
            {Object.keys(CURRENCIES).map((code) => (
              <option key={code} value={code}>
                {code}
              </option>
            ))}
          </select>
        </div>
      </div>
      {fieldError("price")}
      {fieldError("currency")}

      <label htmlFor="sell-condition">Condition</label>
      <select
        id="sell-condition"
        value={values.condition}
        onChange={(event) => update("condition", event.target.value)}
        aria-invalid={Boolean(errors.condition)}
        aria-describedby={describedBy("condition")}
        required
      >
        <option value="">Choose…</option>
        {CONDITIONS.map((condition) => (
          <option key={condition} value={condition}>
            {CONDITION_LABELS[condition]}
          </option>
        ))}
      </select>
      {fieldError("condition")}
      {fieldError("category")}

      <PhotoPicker entries={photos} onChange={setPhotos} error={errors.photos} />

      {formError && (
        <p className="error-box" role="alert">
          {formError}
        </p>
      )}
      <button type="submit" className="primary" disabled={sending}>
        {sending ? sendingLabel : submitLabel}
      </button>
    </form>
  );
}
