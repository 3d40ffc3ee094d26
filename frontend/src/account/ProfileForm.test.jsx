import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { updateProfile } from "../api/account";
import { ProfileForm } from "./ProfileForm";

// The accounts API is the network boundary of this unit.
vi.mock("../api/account", () => ({ updateProfile: vi.fn() }));

const PROFILE = {
  id: 3,
  email: "mina@example.com",
  display_name: "",
  avatar: "/media/avatars/2026/12/mina.png",
  trust_score: "36.5",
  neighbourhoods: [],
};

describe("ProfileForm", () => {
  beforeEach(() => {
    updateProfile.mockReset();
    URL.createObjectURL = vi.fn(() => "blob:avatar");
    URL.revokeObjectURL = vi.fn();
  });

  afterEach(() => {
    delete URL.createObjectURL;
    delete URL.revokeObjectURL;
  });

  it("saves the name and a new avatar", async () => {
    const user = userEvent.setup();
    const saved = { ...PROFILE, display_name: "미나", avatar: "/media/avatars/2026/12/new.png" };
    updateProfile.mockResolvedValue(saved);
    const onSaved = vi.fn();
    render(<ProfileForm profile={PROFILE} onSaved={onSaved} />);
    const avatar = new File(["png"], "new.png", { type: "image/png" });

    await user.type(screen.getByLabelText("Display name"), " 미나 ");
    await user.upload(screen.getByLabelText("Avatar"), avatar);
    expect(screen.getByRole("img", { name: "Your avatar" }).getAttribute("src")).toBe("blob:avatar");
    await user.click(screen.getByRole("button", { name: "Save the profile" }));

    expect(updateProfile).toHaveBeenCalledWith({ displayName: "미나", avatar, removeAvatar: false });
    expect((await screen.findByRole("status")).textContent).toBe("Profile saved.");
    expect(onSaved).toHaveBeenCalledWith(saved);
    expect(screen.getByLabelText("Avatar").files).toHaveLength(0);
  });

  it("removes the avatar on request", async () => {
    const user = userEvent.setup();
    updateProfile.mockResolvedValue({ ...PROFILE, avatar: null });
    render(<ProfileForm profile={PROFILE} onSaved={vi.fn()} />);

    await user.click(screen.getByLabelText("Remove the avatar"));
    expect(screen.getByRole("img", { name: "No avatar" }).textContent).toBe("M");
    await user.click(screen.getByRole("button", { name: "Save the profile" }));

    expect(updateProfile).toHaveBeenCalledWith({ displayName: "", avatar: null, removeAvatar: true });
  });

  it("shows the server's avatar message next to the field", async () => {
    const user = userEvent.setup();
    const message = "The avatar 'big.png' is 9000000 bytes; the maximum is 5242880 bytes. Upload a smaller image.";
    updateProfile.mockRejectedValue(
      Object.assign(new Error("400"), { userMessage: `avatar: ${message}`, fieldErrors: { avatar: [message] } }),
    );
    render(<ProfileForm profile={PROFILE} onSaved={vi.fn()} />);

    await user.upload(screen.getByLabelText("Avatar"), new File(["x"], "big.png", { type: "image/png" }));
    await user.click(screen.getByRole("button", { name: "Save the profile" }));

    expect((await screen.findByRole("alert")).textContent).toBe(`avatar: ${message}`);
    expect(document.getElementById("profile-avatar-error").textContent).toBe(message);
    expect(screen.getByLabelText("Avatar").getAttribute("aria-invalid")).toBe("true");
  });
});
