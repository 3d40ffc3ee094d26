import { describe, expect, it } from "vitest";

import { describeSignInFailure, toAppUser } from "./session";

function failure(status, data) {
  return { response: { status, data }, userMessage: "fallback" };
}

describe("toAppUser", () => {
  it("takes the username from allauth's user object", () => {
    const body = { status: 200, data: { user: { id: 7, username: "mina", display: "Mina" } } };
    expect(toAppUser(body)).toEqual({ username: "mina" });
  });

  it("returns null when the body has no user", () => {
    expect(toAppUser({ status: 401, data: { flows: [] } })).toBeNull();
  });
});

describe("describeSignInFailure", () => {
  it("says the credentials are wrong for allauth's mismatch codes", () => {
    const error = failure(400, {
      errors: [{ code: "username_password_mismatch", message: "not correct", param: "password" }],
    });
    expect(describeSignInFailure(error)).toBe("The username or password is incorrect. Try again.");
  });

  it("joins other allauth messages", () => {
    const error = failure(400, {
      errors: [
        { code: "required", message: "This field is required." },
        { code: "too_many_login_attempts", message: "Too many failed login attempts." },
      ],
    });
    expect(describeSignInFailure(error)).toBe(
      "This field is required. Too many failed login attempts.",
    );
  });

  it("asks for the email confirmation when that flow is pending", () => {
    const error = failure(401, {
      data: { flows: [{ id: "login" }, { id: "verify_email", is_pending: true }] },
    });
    expect(describeSignInFailure(error)).toBe(
      "Confirm your email address first: open the link in the mail we sent, then sign in.",
    );
  });

  it("falls back to the client's message for other failures", () => {
    expect(describeSignInFailure(failure(500, "<html>"))).toBe("fallback");
  });
});
