import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { SellForm } from "./SellForm";

// The catalog API is the network boundary of the form's autocomplete.
vi.mock("../api/catalog", () => ({ searchCatalog: vi.fn() }));

const PNG_HEAD = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52];

function png(name) {
  return new File([new Uint8Array(PNG_HEAD)], name, { type: "image/png" });
}

async function fillValidForm(user) {
  await user.type(screen.getByLabelText("Title"), "맥북 프로 팝니다");
  await user.type(screen.getByLabelText("Price"), "1200000");
  await user.selectOptions(screen.getByLabelText("Currency"), "KRW");
  await user.selectOptions(screen.getByLabelText("Condition"), "like_new");
}

function photoNames() {
  const list = screen.queryByRole("list", { name: "Chosen photos" });
  return list ? within(list).getAllByRole("listitem").map((item) => item.querySelector(".photo-name").textContent) : [];
}

describe("PhotoPicker in the sell form", () => {
  beforeEach(() => {
    let counter = 0;
    URL.createObjectURL = vi.fn(() => {
      counter += 1;
      return `blob:preview-${counter}`;
    });
    URL.revokeObjectURL = vi.fn();
  });

  afterEach(() => {
    delete URL.createObjectURL;
    delete URL.revokeObjectURL;
  });

  it("adds, reorders and removes photos before sending them in order", async () => {
    const user = userEvent.setup({ applyAccept: false });
    const onSubmit = vi.fn().mockResolvedValue(undefined);
    render(<SellForm onSubmit={onSubmit} />);
    await fillValidForm(user);

    await user.upload(screen.getByLabelText("Add photos"), [png("a.png"), png("b.png"), png("c.png")]);
    await screen.findByRole("button", { name: "Remove c.png" });
    await user.click(screen.getByRole("button", { name: "Move c.png earlier" }));
    await user.click(screen.getByRole("button", { name: "Remove a.png" }));

    expect(photoNames()).toEqual(["1. c.png", "2. b.png"]);
    expect(URL.revokeObjectURL).toHaveBeenCalledWith("blob:preview-1");
    expect(screen.getByRole("button", { name: "Move c.png earlier" }).disabled).toBe(true);
    await user.click(screen.getByRole("button", { name: "List the item" }));
    const photos = onSubmit.mock.calls[0][1];
    expect(photos.map((entry) => entry.file.name)).toEqual(["c.png", "b.png"]);
  });

  it("refuses a renamed text file with the API's wording", async () => {
    const user = userEvent.setup({ applyAccept: false });
    render(<SellForm onSubmit={vi.fn()} />);

    await user.upload(screen.getByLabelText("Add photos"), [
      new File(["just notes"], "notes.jpg", { type: "image/jpeg" }),
      png("ok.png"),
    ]);

    expect((await screen.findByRole("alert")).textContent).toBe(
      "File 'notes.jpg' is not a JPEG, PNG, WebP or HEIC image; upload a photo in one of these formats.",
    );
    expect(photoNames()).toEqual(["1. ok.png"]);
  });

  it("shows the API's photo message inside the photo list", async () => {
    const user = userEvent.setup({ applyAccept: false });
    const message = "Photo 'broken.png' is truncated or corrupt and could not be read (image file is truncated).";
    const onSubmit = vi.fn().mockRejectedValue(
      Object.assign(new Error("400"), { userMessage: `photos: ${message}`, fieldErrors: { photos: [message] } }),
    );
    render(<SellForm onSubmit={onSubmit} />);
    await fillValidForm(user);
    await user.upload(screen.getByLabelText("Add photos"), [png("broken.png")]);
    await screen.findByRole("button", { name: "Remove broken.png" });

    await user.click(screen.getByRole("button", { name: "List the item" }));

    const picker = screen.getByRole("group", { name: "Photos" });
    expect((await within(picker).findByRole("alert")).textContent).toBe(message);
  });
});
