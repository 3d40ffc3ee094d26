import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { ListingPhoto } from "./ListingPhoto";

describe("ListingPhoto", () => {
  it("shows the image while it loads", () => {
    render(<ListingPhoto src="/media/a.jpg" alt="맥북 프로" />);
    expect(screen.getByRole("img", { name: "맥북 프로" }).tagName).toBe("IMG");
  });

  it("falls back to a tile when the image fails", () => {
    render(<ListingPhoto src="https://images.example/a.jpg" alt="맥북 프로" large />);

    fireEvent.error(screen.getByRole("img", { name: "맥북 프로" }));

    const tile = screen.getByRole("img", { name: "맥북 프로" });
    expect(tile.tagName).toBe("DIV");
    expect(tile.className).toBe("no-photo large");
  });

  it("hides a decorative tile from screen readers", () => {
    const { container } = render(<ListingPhoto src={null} alt="" />);
    const tile = container.querySelector(".no-photo");
    expect(tile.getAttribute("aria-hidden")).toBe("true");
    expect(screen.queryByRole("img")).toBeNull();
  });
});
