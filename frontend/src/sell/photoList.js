// The photo list of the sell and edit forms: checks each chosen file as the
// listings API does (listings/photos.py) and keeps the order in which the
// photos are uploaded. The API checks everything again. It also rejects
// images over 50 megapixels and corrupt files, which only decoding finds,
// and the form then shows the API's message.
export const MAX_PHOTOS_PER_LISTING = 10;
export const MAX_PHOTO_BYTES = 20 * 1024 * 1024;
export const ACCEPTED_FORMATS_TEXT = "JPEG, PNG, WebP or HEIC";
// Browsers leave `type` empty for HEIC files, so the picker offers the
// extensions too.
export const PHOTO_INPUT_ACCEPT = "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif";
// Bytes read from the start of a file to identify it.
const SIGNATURE_LENGTH = 16;
// The major brands that pillow-heif accepts as HEIF (as_plugin.py).
const HEIF_BRANDS = ["heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs", "mif1", "msf1"];
const WEBP_CHUNKS = ["VP8 ", "VP8L", "VP8X"];

function ascii(bytes, start, end) {
  return String.fromCharCode(...bytes.slice(start, end));
}

/**
 * Identifies an image from its first bytes, with the same signatures as
 * Pillow 13 and pillow-heif. Returns "JPEG", "PNG", "WEBP", "HEIF" or null.
 */
export function detectPhotoFormat(bytes) {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return "JPEG";
  }
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && png.every((value, index) => bytes[index] === value)) {
    return "PNG";
  }
  if (
    bytes.length >= 16 &&
    ascii(bytes, 0, 4) === "RIFF" &&
    ascii(bytes, 8, 12) === "WEBP" &&
    WEBP_CHUNKS.includes(ascii(bytes, 12, 16))
  ) {
    return "WEBP";
  }
  if (bytes.length >= 12 && ascii(bytes, 4, 8) === "ftyp" && HEIF_BRANDS.includes(ascii(bytes, 8, 12))) {
    return "HEIF";
  }
  return null;
}

function formatMebibytes(size) {
  return (size / 1024 / 1024).toFixed(1);
}

async function readSignature(file) {
  const head = file.slice(0, SIGNATURE_LENGTH);
  if (typeof head.arrayBuffer === "function") {
    return new Uint8Array(await head.arrayBuffer());
  }
  return new Uint8Array(
    await new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.onerror = () => reject(reader.error);
      reader.readAsArrayBuffer(head);
    }),
  );
}

/**
 * Checks one chosen file; returns null when it may be uploaded, else the
 * message that the API would send for it.
 */
export async function checkPhotoFile(file) {
  if (file.size > MAX_PHOTO_BYTES) {
    return (
      `Photo '${file.name}' is ${formatMebibytes(file.size)} MiB; the maximum is ` +
      `${MAX_PHOTO_BYTES / 1024 / 1024} MiB. Upload a smaller photo.`
    );
  }
  const format = detectPhotoFormat(await readSignature(file));
  if (format === null) {
    return `File '${file.name}' is not a ${ACCEPTED_FORMATS_TEXT} image; upload a photo in one of these formats.`;
  }
  return null;
}

let nextKey = 0;

/** Builds the list entry of a chosen file; `previewUrl` is an object URL. */
export function newPhotoEntry(file, createUrl = URL.createObjectURL) {
  nextKey += 1;
  return { key: `new-${nextKey}`, kind: "new", file, name: file.name, previewUrl: createUrl(file) };
}

/** Builds the list entry of a photo that the listing already has. */
export function storedPhotoEntry(photo) {
  return {
    key: `stored-${photo.id}`,
    kind: "stored",
    photoId: photo.id,
    name: `Photo ${photo.position + 1}`,
    previewUrl: photo.thumbnail_url ?? photo.url,
  };
}

/**
 * Appends the accepted files to `entries`, up to MAX_PHOTOS_PER_LISTING.
 * `checked` is a list of `{file, error}`; returns the new list and the
 * messages of the files that were left out.
 */
export function appendPhotos(entries, checked, createEntry = newPhotoEntry) {
  const next = [...entries];
  const rejected = [];
  for (const { file, error } of checked) {
    if (error) {
      rejected.push(error);
    } else if (next.length >= MAX_PHOTOS_PER_LISTING) {
      rejected.push(
        `Photo '${file.name}' was not added; a listing has at most ${MAX_PHOTOS_PER_LISTING} photos. Remove one first.`,
      );
    } else {
      next.push(createEntry(file));
    }
  }
  return { entries: next, rejected };
}

export function removePhoto(entries, key) {
  return entries.filter((entry) => entry.key !== key);
}

/**
 * Moves a new photo one place up (`offset` -1) or down (+1) among the new
 * photos. Stored photos keep their places, because the API cannot reorder
 * them; new ones are uploaded after them in list order.
 */
export function movePhoto(entries, key, offset) {
  const index = entries.findIndex((entry) => entry.key === key);
  const target = index + offset;
  if (index < 0 || target < 0 || target >= entries.length) {
    return entries;
  }
  if (entries[index].kind !== "new" || entries[target].kind !== "new") {
    return entries;
  }
  const next = [...entries];
  [next[index], next[target]] = [next[target], next[index]];
  return next;
}

/** Tells whether the entry at `index` can move by `offset`. */
export function canMovePhoto(entries, index, offset) {
  const target = index + offset;
  return (
    target >= 0 &&
    target < entries.length &&
    entries[index].kind === "new" &&
    entries[target].kind === "new"
  );
}

/**
 * Compares the list with the listing's stored photos: returns the ids to
 * delete and the files to upload, in upload order.
 */
export function diffPhotos(storedPhotos, entries) {
  const kept = new Set(entries.filter((entry) => entry.kind === "stored").map((entry) => entry.photoId));
  return {
    removedIds: storedPhotos.map((photo) => photo.id).filter((id) => !kept.has(id)),
    addedFiles: entries.filter((entry) => entry.kind === "new").map((entry) => entry.file),
  };
}
