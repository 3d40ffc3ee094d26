import { render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { client } from "../api/client";
import { resetProviderCache } from "../auth/account";
import { describeProviderError, ProviderButtons, readCookie } from "./ProviderButtons";

// The allauth config endpoint is the network boundary of this unit.
vi.mock("../api/client", () => ({
  CSRF_COOKIE_NAME: "csrftoken",
  client: { get: vi.fn() },
}));

function config(providers) {
  return { data: { status: 200, data: { account: {}, socialaccount: { providers } } } };
}

const GITHUB = { id: "github", name: "GitHub", flows: ["provider_redirect"] };
const KAKAO = { id: "kakao", name: "Kakao", flows: ["provider_redirect"] };

function renderButtons(path = "/sign-in") {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <ProviderButtons callbackPath="/app/sign-in" />
    </MemoryRouter>,
  );
}

describe("ProviderButtons", () => {
  beforeEach(() => {
    client.get.mockReset();
    resetProviderCache();
    document.cookie = "csrftoken=token-123";
  });

  it("shows a button for each configured provider only", async () => {
    client.get.mockResolvedValue(config([GITHUB, KAKAO]));
    renderButtons();

    await screen.findByRole("button", { name: "Continue with GitHub" });

    const names = screen.getAllByRole("button").map((button) => button.textContent);
    expect(names).toEqual(["Continue with GitHub", "Continue with Kakao"]);
    expect(client.get).toHaveBeenCalledWith("/_allauth/browser/v1/config");
  });

  it("posts the provider, callback and CSRF token to allauth", async () => {
    client.get.mockResolvedValue(config([GITHUB]));
    renderButtons();

    const button = await screen.findByRole("button", { name: "Continue with GitHub" });
    const form = button.closest("form");

    expect(form.getAttribute("method")).toBe("post");
    expect(form.getAttribute("action")).toBe("/_allauth/browser/v1/auth/provider/redirect");
    expect(Object.fromEntries(new FormData(form))).toEqual({
      provider: "github",
      process: "login",
      callback_url: "/app/sign-in",
      csrfmiddlewaretoken: "token-123",
    });
  });

  it("leaves out providers without the redirect flow", async () => {
    client.get.mockResolvedValue(config([{ id: "google", name: "Google", flows: ["provider_token"] }, KAKAO]));
    renderButtons();

    await screen.findByRole("button", { name: "Continue with Kakao" });

    expect(screen.queryByRole("button", { name: "Continue with Google" })).toBeNull();
  });

  it("renders nothing when no provider is configured", async () => {
    client.get.mockResolvedValue(config([]));
    const { container } = renderButtons();

    await vi.waitFor(() => expect(client.get).toHaveBeenCalledTimes(1));
    await Promise.resolve();

    expect(container.innerHTML).toBe("");
  });

  it("shows the error that allauth adds to the callback", async () => {
    client.get.mockResolvedValue(config([]));
    renderButtons("/sign-in?error=cancelled&error_process=login");

    expect(screen.getByRole("alert").textContent).toBe("You cancelled the sign-in with the provider.");
  });
});

describe("describeProviderError", () => {
  it("names an unknown code", () => {
    expect(describeProviderError("unknown")).toBe(
      "Signing in with the provider failed (unknown). Try again or use your password.",
    );
  });
});

describe("readCookie", () => {
  it("finds one cookie among several", () => {
    expect(readCookie("csrftoken", "a=1; csrftoken=abc%3D; b=2")).toBe("abc=");
  });

  it("returns an empty string for a missing cookie", () => {
    expect(readCookie("csrftoken", "a=1")).toBe("");
  });
});
