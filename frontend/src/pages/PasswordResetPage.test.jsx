import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { checkPasswordResetKey, requestPasswordReset, resetPassword } from "../auth/account";
import { AuthProvider } from "../auth/AuthContext";
import { PasswordResetFromKeyPage, PasswordResetRequestPage } from "./PasswordResetPage";

// allauth's headless API is the network boundary of this unit.
vi.mock("../auth/account", () => ({
  checkPasswordResetKey: vi.fn(),
  requestPasswordReset: vi.fn(),
  resetPassword: vi.fn(),
}));

function renderAt(path) {
  return render(
    <AuthProvider initialUser={null}>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path="password/reset" element={<PasswordResetRequestPage />} />
          <Route path="password/reset/:key" element={<PasswordResetFromKeyPage />} />
        </Routes>
      </MemoryRouter>
    </AuthProvider>,
  );
}

describe("PasswordResetRequestPage", () => {
  beforeEach(() => {
    requestPasswordReset.mockReset();
  });

  it("sends the address and says a mail may follow", async () => {
    const user = userEvent.setup();
    requestPasswordReset.mockResolvedValue(undefined);
    renderAt("/password/reset");

    await user.type(screen.getByLabelText("Email"), " mina@example.com ");
    await user.click(screen.getByRole("button", { name: "Send the link" }));

    expect(requestPasswordReset).toHaveBeenCalledWith("mina@example.com");
    expect((await screen.findByRole("status")).textContent).toBe(
      "If mina@example.com is the confirmed address of an account, we sent it a link to choose a new password.",
    );
  });

  it("asks for an address before sending", async () => {
    const user = userEvent.setup();
    renderAt("/password/reset");

    await user.click(screen.getByRole("button", { name: "Send the link" }));

    expect(screen.getByRole("alert").textContent).toBe("Enter the email address of your account.");
    expect(requestPasswordReset).not.toHaveBeenCalled();
  });
});

describe("PasswordResetFromKeyPage", () => {
  beforeEach(() => {
    checkPasswordResetKey.mockReset().mockResolvedValue(undefined);
    resetPassword.mockReset();
  });

  it("sets the new password with the key from the link", async () => {
    const user = userEvent.setup();
    resetPassword.mockResolvedValue(null);
    renderAt("/password/reset/4-abc%3Adef");

    await user.type(await screen.findByLabelText("New password"), "a-brand-new-passphrase");
    await user.click(screen.getByRole("button", { name: "Save the password" }));

    expect(checkPasswordResetKey).toHaveBeenCalledWith("4-abc:def");
    expect(resetPassword).toHaveBeenCalledWith({ key: "4-abc:def", password: "a-brand-new-passphrase" });
    expect((await screen.findByRole("status")).textContent).toBe("Your password is changed. Sign in with it.");
  });

  it("shows allauth's message for a bad key", async () => {
    checkPasswordResetKey.mockRejectedValue(Object.assign(new Error("400"), { userMessage: "The password reset token was invalid." }));
    renderAt("/password/reset/bad");

    expect((await screen.findByRole("alert")).textContent).toContain(
      "The password reset token was invalid. The link may have expired or been used already.",
    );
    expect(screen.queryByLabelText("New password")).toBeNull();
  });

  it("rejects a short password before sending", async () => {
    const user = userEvent.setup();
    renderAt("/password/reset/4-abc");

    await user.type(await screen.findByLabelText("New password"), "short");
    await user.click(screen.getByRole("button", { name: "Save the password" }));

    expect(screen.getByRole("alert").textContent).toBe("Password has 5 characters; use at least 8.");
    expect(resetPassword).not.toHaveBeenCalled();
  });
});
