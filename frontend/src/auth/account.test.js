import { beforeEach, describe, expect, it, vi } from "vitest";

import { client } from "../api/client";
import { collectAllauthErrors, listRedirectProviders, signUp, verifyEmail } from "./account";

// The axios client is the network boundary of this unit.
vi.mock("../api/client", () => ({ client: { get: vi.fn(), post: vi.fn() } }));

function failure(status, data) {
  return Object.assign(new Error(`Request failed with status code ${status}`), {
    response: { status, data },
    userMessage: `HTTP ${status}`,
  });
}

describe("collectAllauthErrors", () => {
  it("groups messages by input and keeps the general ones", () => {
    const data = {
      status: 400,
      errors: [
        { code: "invalid", message: "Enter a valid email address.", param: "email" },
        { code: "password_too_short", message: "This password is too short.", param: "password" },
        { code: "password_too_common", message: "This password is too common.", param: "password" },
        { code: "too_many_requests", message: "Too many requests." },
      ],
    };
    expect(collectAllauthErrors(data)).toEqual({
      fields: {
        email: ["Enter a valid email address."],
        password: ["This password is too short.", "This password is too common."],
      },
      general: ["Too many requests."],
    });
  });

  it("returns nothing for a body without errors", () => {
    expect(collectAllauthErrors("<html>")).toEqual({ fields: {}, general: [] });
  });
});

describe("signUp", () => {
  beforeEach(() => {
    client.post.mockReset();
  });

  it("reports the pending verification of a 401 answer", async () => {
    client.post.mockRejectedValue(
      failure(401, { status: 401, data: { flows: [{ id: "login" }, { id: "verify_email", is_pending: true }] } }),
    );

    const result = await signUp({ email: "mina@example.com", username: "mina", password: "long-enough-pass" });

    expect(result).toEqual({ user: null, pending: ["verify_email"] });
    expect(client.post).toHaveBeenCalledWith("/_allauth/browser/v1/auth/signup", {
      email: "mina@example.com",
      username: "mina",
      password: "long-enough-pass",
    });
  });

  it("turns allauth's 400 into field errors and one message", async () => {
    client.post.mockRejectedValue(
      failure(400, {
        status: 400,
        errors: [{ code: "username_taken", message: "A user with that username already exists.", param: "username" }],
      }),
    );

    const error = await signUp({ email: "a@example.com", username: "taken", password: "long-enough-pass" }).catch(
      (caught) => caught,
    );

    expect(error.fieldErrors).toEqual({ username: "A user with that username already exists." });
    expect(error.userMessage).toBe("A user with that username already exists.");
  });

  it("keeps the client's message for other failures", async () => {
    client.post.mockRejectedValue(failure(500, "<html>"));

    const error = await signUp({ email: "a@example.com", username: "a", password: "long-enough-pass" }).catch(
      (caught) => caught,
    );

    expect(error.userMessage).toBe("HTTP 500");
  });
});

describe("verifyEmail", () => {
  beforeEach(() => {
    client.post.mockReset();
  });

  it("returns the user when the sign-up finishes", async () => {
    client.post.mockResolvedValue({ data: { status: 200, data: { user: { id: 3, username: "mina" } } } });
    expect(await verifyEmail("key-1")).toEqual({ username: "mina" });
  });

  it("returns null when the address is confirmed without a sign-in", async () => {
    client.post.mockRejectedValue(failure(401, { status: 401, data: { flows: [] } }));
    expect(await verifyEmail("key-1")).toBeNull();
  });
});

describe("listRedirectProviders", () => {
  it("returns an empty list for a config without social accounts", () => {
    expect(listRedirectProviders({ data: { account: {} } })).toEqual([]);
  });
});
