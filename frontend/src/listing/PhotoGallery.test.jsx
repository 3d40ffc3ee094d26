import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { PhotoGallery } from "./PhotoGallery";

const PHOTOS = [
  { id: 7, url: "/media/a.jpg", thumbnail_url: "/media/a-thumb.jpg" },
  { id: 8, url: "/media/b.jpg", thumbnail_url: null },
  { id: 9, url: "/media/c.jpg", thumbnail_url: "/media/c-thumb.jpg" },
];

function largePhoto() {
  return screen.getByRole("img", { name: /맥북 프로/ });
}

describe("PhotoGallery", () => {
  it("shows the first photo and a thumbnail for each", () => {
    render(<PhotoGallery photos={PHOTOS} title="맥북 프로" />);

    expect(largePhoto().getAttribute("src")).toBe("/media/a.jpg");
    expect(largePhoto().getAttribute("alt")).toBe("맥북 프로, photo 1 of 3");
    const thumbnails = screen.getAllByRole("button");
    expect(thumbnails.map((button) => button.getAttribute("aria-label"))).toEqual([
      "Photo 1 of 3",
      "Photo 2 of 3",
      "Photo 3 of 3",
    ]);
    expect(thumbnails.map((button) => button.querySelector("img").getAttribute("src"))).toEqual([
      "/media/a-thumb.jpg",
      "/media/b.jpg",
      "/media/c-thumb.jpg",
    ]);
  });

  it("switches the large photo on a click", () => {
    render(<PhotoGallery photos={PHOTOS} title="맥북 프로" />);

    fireEvent.click(screen.getByRole("button", { name: "Photo 3 of 3" }));

    expect(largePhoto().getAttribute("src")).toBe("/media/c.jpg");
    expect(screen.getByRole("button", { name: "Photo 3 of 3" }).getAttribute("aria-pressed")).toBe(
      "true",
    );
    expect(screen.getByRole("button", { name: "Photo 1 of 3" }).getAttribute("aria-pressed")).toBe(
      "false",
    );
  });

  it("moves with the arrow keys and wraps around", () => {
    render(<PhotoGallery photos={PHOTOS} title="맥북 프로" />);
    const first = screen.getByRole("button", { name: "Photo 1 of 3" });

    fireEvent.keyDown(first, { key: "ArrowLeft" });

    expect(largePhoto().getAttribute("src")).toBe("/media/c.jpg");
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Photo 3 of 3" }));
    fireEvent.keyDown(document.activeElement, { key: "ArrowRight" });
    expect(largePhoto().getAttribute("src")).toBe("/media/a.jpg");
  });

  it("shows one photo without thumbnails", () => {
    render(<PhotoGallery photos={PHOTOS.slice(0, 1)} title="맥북 프로" />);

    expect(largePhoto().getAttribute("alt")).toBe("맥북 프로");
    expect(screen.queryAllByRole("button")).toEqual([]);
  });

  it("falls back to the catalog image without photos", () => {
    render(<PhotoGallery photos={[]} title="맥북 프로" fallbackUrl="https://example.com/m.jpg" />);

    expect(largePhoto().getAttribute("src")).toBe("https://example.com/m.jpg");
  });
});
