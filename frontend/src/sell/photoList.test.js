import { describe, expect, it } from "vitest";

import {
  appendPhotos,
  canMovePhoto,
  checkPhotoFile,
  detectPhotoFormat,
  diffPhotos,
  MAX_PHOTO_BYTES,
  movePhoto,
  removePhoto,
  storedPhotoEntry,
} from "./photoList";

const JPEG_HEAD = [0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1];
const PNG_HEAD = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52];

function asciiBytes(text) {
  return [...text].map((character) => character.charCodeAt(0));
}

const WEBP_HEAD = [...asciiBytes("RIFF"), 0x24, 0, 0, 0, ...asciiBytes("WEBPVP8 ")];
const HEIC_HEAD = [0, 0, 0, 0x18, ...asciiBytes("ftypheic"), 0, 0, 0, 0];

function file(name, bytes, type = "") {
  return new File([new Uint8Array(bytes)], name, { type });
}

function entry(key, kind = "new") {
  return kind === "new"
    ? { key, kind, name: `${key}.jpg`, file: { name: `${key}.jpg` }, previewUrl: `blob:${key}` }
    : { key, kind, name: key, photoId: Number(key.split("-")[1]), previewUrl: `/media/${key}.jpg` };
}

const fakeEntry = (uploaded) => ({ key: uploaded.name, kind: "new", file: uploaded, name: uploaded.name });

describe("detectPhotoFormat", () => {
  it.each([
    ["JPEG", JPEG_HEAD],
    ["PNG", PNG_HEAD],
    ["WEBP", WEBP_HEAD],
    ["HEIF", HEIC_HEAD],
  ])("identifies %s from its first bytes", (format, head) => {
    expect(detectPhotoFormat(new Uint8Array(head))).toBe(format);
  });

  it("rejects text, a GIF and a RIFF file that is not WebP", () => {
    expect(detectPhotoFormat(new Uint8Array(asciiBytes("just some notes.")))).toBeNull();
    expect(detectPhotoFormat(new Uint8Array(asciiBytes("GIF89a..........")))).toBeNull();
    expect(detectPhotoFormat(new Uint8Array([...asciiBytes("RIFF"), 0, 0, 0, 0, ...asciiBytes("WAVEfmt ")]))).toBeNull();
  });

  it("rejects an empty file", () => {
    expect(detectPhotoFormat(new Uint8Array([]))).toBeNull();
  });
});

describe("checkPhotoFile", () => {
  it("accepts a HEIC file that the browser gives no type", async () => {
    expect(await checkPhotoFile(file("IMG_0001.HEIC", HEIC_HEAD))).toBeNull();
  });

  it("rejects a renamed text file with the API's message", async () => {
    const renamed = file("photo.jpg", asciiBytes("not an image at all"), "image/jpeg");
    expect(await checkPhotoFile(renamed)).toBe(
      "File 'photo.jpg' is not a JPEG, PNG, WebP or HEIC image; upload a photo in one of these formats.",
    );
  });

  it("rejects a file over 20 MiB before reading it", async () => {
    const large = { name: "huge.png", size: MAX_PHOTO_BYTES + 1024 * 1024, slice: () => { throw new Error("read"); } };
    expect(await checkPhotoFile(large)).toBe(
      "Photo 'huge.png' is 21.0 MiB; the maximum is 20 MiB. Upload a smaller photo.",
    );
  });

  it("accepts a file of exactly 20 MiB", async () => {
    const bytes = new Uint8Array(MAX_PHOTO_BYTES);
    bytes.set(PNG_HEAD);
    expect(await checkPhotoFile(new File([bytes], "edge.png"))).toBeNull();
  });
});

describe("appendPhotos", () => {
  it("appends accepted files in order and reports rejected ones", () => {
    const first = file("a.jpg", JPEG_HEAD);
    const second = file("b.png", PNG_HEAD);
    const result = appendPhotos(
      [entry("stored-4", "stored")],
      [
        { file: first, error: null },
        { file: { name: "c.txt" }, error: "File 'c.txt' is not a JPEG, PNG, WebP or HEIC image." },
        { file: second, error: null },
      ],
      fakeEntry,
    );

    expect(result.entries.map((item) => item.key)).toEqual(["stored-4", "a.jpg", "b.png"]);
    expect(result.rejected).toEqual(["File 'c.txt' is not a JPEG, PNG, WebP or HEIC image."]);
  });

  it("stops at 10 photos", () => {
    const nine = Array.from({ length: 9 }, (_, index) => entry(`p${index}`));
    const result = appendPhotos(
      nine,
      [
        { file: file("tenth.jpg", JPEG_HEAD), error: null },
        { file: file("eleventh.jpg", JPEG_HEAD), error: null },
      ],
      fakeEntry,
    );

    expect(result.entries).toHaveLength(10);
    expect(result.entries.at(-1).key).toBe("tenth.jpg");
    expect(result.rejected).toEqual([
      "Photo 'eleventh.jpg' was not added; a listing has at most 10 photos. Remove one first.",
    ]);
  });
});

describe("removePhoto and movePhoto", () => {
  const entries = [entry("stored-1", "stored"), entry("a"), entry("b"), entry("c")];

  it("removes one entry by key", () => {
    expect(removePhoto(entries, "b").map((item) => item.key)).toEqual(["stored-1", "a", "c"]);
  });

  it("moves a new photo earlier and later", () => {
    expect(movePhoto(entries, "c", -1).map((item) => item.key)).toEqual(["stored-1", "a", "c", "b"]);
    expect(movePhoto(entries, "a", 1).map((item) => item.key)).toEqual(["stored-1", "b", "a", "c"]);
  });

  it("keeps stored photos in place", () => {
    expect(movePhoto(entries, "a", -1)).toBe(entries);
    expect(movePhoto(entries, "stored-1", 1)).toBe(entries);
    expect(canMovePhoto(entries, 1, -1)).toBe(false);
    expect(canMovePhoto(entries, 1, 1)).toBe(true);
  });

  it("does not move past either end", () => {
    expect(movePhoto(entries, "c", 1)).toBe(entries);
    expect(canMovePhoto(entries, 3, 1)).toBe(false);
  });
});

describe("diffPhotos", () => {
  it("lists removed stored photos and the new files in upload order", () => {
    const stored = [
      { id: 1, url: "/media/1.jpg", thumbnail_url: null, position: 0 },
      { id: 2, url: "/media/2.jpg", thumbnail_url: "/media/2-small.jpg", position: 1 },
    ];
    const entries = [storedPhotoEntry(stored[1]), entry("b"), entry("a")];

    expect(diffPhotos(stored, entries)).toEqual({
      removedIds: [1],
      addedFiles: [{ name: "b.jpg" }, { name: "a.jpg" }],
    });
  });

  it("builds stored entries with the thumbnail when there is one", () => {
    expect(storedPhotoEntry({ id: 2, url: "/m/2.jpg", thumbnail_url: "/m/2s.jpg", position: 1 })).toEqual({
      key: "stored-2",
      kind: "stored",
      photoId: 2,
      name: "Photo 2",
      previewUrl: "/m/2s.jpg",
    });
    expect(storedPhotoEntry({ id: 3, url: "/m/3.jpg", thumbnail_url: null, position: 0 }).previewUrl).toBe("/m/3.jpg");
  });
});
