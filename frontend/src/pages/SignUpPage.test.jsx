import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router-dom";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { fetchProviders, signUp } from "../auth/account";
import { AuthProvider } from "../auth/AuthContext";
import { SignUpPage } from "./SignUpPage";

// allauth's headless API is the network boundary of this unit.
vi.mock("../auth/account", () => ({
  signUp: vi.fn(),
  fetchProviders: vi.fn(),
  PROVIDER_REDIRECT_PATH: "/_allauth/browser/v1/auth/provider/redirect",
}));

function renderPage() {
  return render(
    <AuthProvider initialUser={null}>
      <MemoryRouter initialEntries={["/sign-up"]}>
        <SignUpPage />
      </MemoryRouter>
    </AuthProvider>,
  );
}

async function fill(user, { email = "mina@example.com", username = "mina", password = "long-enough-pass" } = {}) {
  if (email) await user.type(screen.getByLabelText("Email"), email);
  if (username) await user.type(screen.getByLabelText("Username"), username);
  if (password) await user.type(screen.getByLabelText("Password"), password);
}

describe("SignUpPage", () => {
  beforeEach(() => {
    signUp.mockReset();
    fetchProviders.mockReset().mockResolvedValue([]);
  });

  it("checks the fields before sending", async () => {
    const user = userEvent.setup();
    renderPage();

    await fill(user, { email: "mina@", username: "", password: "short" });
    await user.click(screen.getByRole("button", { name: "Create the account" }));

    expect(screen.getByText("Email mina@ is not a valid address; enter one such as name@example.com.")).toBeTruthy();
    expect(screen.getByText("Username is missing; choose the name others will see.")).toBeTruthy();
    expect(screen.getByText("Password has 5 characters; use at least 8.")).toBeTruthy();
    expect(screen.getByLabelText("Password").getAttribute("aria-describedby")).toBe("sign-up-password-error");
    expect(signUp).not.toHaveBeenCalled();
  });

  it("asks to check the mail when verification is pending", async () => {
    const user = userEvent.setup();
    signUp.mockResolvedValue({ user: null, pending: ["verify_email"] });
    renderPage();

    await fill(user);
    await user.click(screen.getByRole("button", { name: "Create the account" }));

    await screen.findByRole("heading", { name: "Check your email" });
    expect(signUp).toHaveBeenCalledWith({ email: "mina@example.com", username: "mina", password: "long-enough-pass" });
    expect(screen.getByRole("status").textContent).toBe(
      "We sent a link to mina@example.com. Open it to confirm your address; then you can sell and buy.",
    );
  });

  it("shows allauth's messages next to the fields", async () => {
    const user = userEvent.setup();
    signUp.mockRejectedValue(
      Object.assign(new Error("400"), {
        userMessage: "A user with that username already exists.",
        fieldErrors: { username: "A user with that username already exists." },
      }),
    );
    renderPage();

    await fill(user);
    await user.click(screen.getByRole("button", { name: "Create the account" }));

    expect((await screen.findByRole("alert")).textContent).toBe("A user with that username already exists.");
    expect(document.getElementById("sign-up-username-error").textContent).toBe(
      "A user with that username already exists.",
    );
    expect(screen.getByLabelText("Username").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByRole("button", { name: "Create the account" }).disabled).toBe(false);
  });
});
