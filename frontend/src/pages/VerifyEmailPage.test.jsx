import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { fetchVerification, verifyEmail } from "../auth/account";
import { AuthProvider } from "../auth/AuthContext";
import { VerifyEmailPage } from "./VerifyEmailPage";

// allauth's headless API is the network boundary of this unit.
vi.mock("../auth/account", () => ({ fetchVerification: vi.fn(), verifyEmail: vi.fn() }));

function renderPage(path = "/verify-email/MQ%3A1tAbc%3Axyz") {
  return render(
    <AuthProvider initialUser={null}>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path="verify-email/:key" element={<VerifyEmailPage />} />
        </Routes>
      </MemoryRouter>
    </AuthProvider>,
  );
}

describe("VerifyEmailPage", () => {
  beforeEach(() => {
    fetchVerification.mockReset().mockResolvedValue({ email: "mina@example.com" });
    verifyEmail.mockReset();
  });

  it("confirms only after the click, with the decoded key", async () => {
    const user = userEvent.setup();
    verifyEmail.mockResolvedValue({ username: "mina" });
    renderPage();

    await screen.findByRole("button", { name: "Confirm the address" });
    expect(fetchVerification).toHaveBeenCalledWith("MQ:1tAbc:xyz");
    expect(verifyEmail).not.toHaveBeenCalled();
    await user.click(screen.getByRole("button", { name: "Confirm the address" }));

    await screen.findByRole("heading", { name: "Email confirmed" });
    expect(verifyEmail).toHaveBeenCalledWith("MQ:1tAbc:xyz");
    expect(screen.getByRole("status").textContent).toBe(
      "mina@example.com is confirmed. You are signed in as mina. Sell an item or go to your feed.",
    );
  });

  it("asks to sign in when another browser started the sign-up", async () => {
    const user = userEvent.setup();
    verifyEmail.mockResolvedValue(null);
    renderPage();

    await user.click(await screen.findByRole("button", { name: "Confirm the address" }));

    await screen.findByRole("heading", { name: "Email confirmed" });
    expect(screen.getByRole("status").textContent).toBe("mina@example.com is confirmed. Sign in to continue.");
  });

  it("explains an invalid or expired link", async () => {
    fetchVerification.mockRejectedValue(Object.assign(new Error("400"), { userMessage: "Invalid or expired key." }));
    renderPage();

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Invalid or expired key. The link may have expired or been used already.");
    expect(screen.queryByRole("button", { name: "Confirm the address" })).toBeNull();
  });
});
