import { describe, expect, it } from "vitest";

import { createClient, describeError } from "./client";

function failure(status, data, headers = {}) {
  return { response: { status, data, headers } };
}

describe("describeError", () => {
  it("explains a lost connection", () => {
    expect(describeError({ code: "ERR_NETWORK" })).toBe(
      "The server could not be reached. Check your connection and try again.",
    );
  });

  it("explains a timeout", () => {
    expect(describeError({ code: "ECONNABORTED" })).toBe(
      "The request timed out. Try again.",
    );
  });

  it("names each invalid field of a 400", () => {
    const message = describeError(
      failure(400, { price: ["Price 1.5 KRW has 1 decimal place."], title: ["Title is blank."] }),
    );
    expect(message).toBe("price: Price 1.5 KRW has 1 decimal place.\ntitle: Title is blank.");
  });

  it("shows a 400 detail without a field name", () => {
    expect(describeError(failure(400, { detail: "The username or password is incorrect." }))).toBe(
      "The username or password is incorrect.",
    );
  });

  it("falls back for a 400 without a body", () => {
    expect(describeError(failure(400, "<html>"))).toBe("The request was invalid.");
  });

  it("prefers the server's detail", () => {
    expect(describeError(failure(404, { detail: "Listing 9 was not found." }))).toBe(
      "Listing 9 was not found.",
    );
  });

  it.each([
    [401, "You are not signed in. Sign in and try again."],
    [403, "You are not allowed to do this. Sign in with an account that may."],
    [404, "This item was not found. It may have been removed."],
    [409, "This change conflicts with the item's current state."],
  ])("has a message for HTTP %i without a body", (status, message) => {
    expect(describeError(failure(status, "<html>"))).toBe(message);
  });

  it("explains a rejected CSRF token", () => {
    const page = "<h1>Forbidden <span>(403)</span></h1><p>CSRF verification failed.</p>";
    expect(describeError(failure(403, page))).toBe(
      "The page's security token is missing or expired. Reload the page and try again.",
    );
  });

  it("adds Retry-After to a 429", () => {
    const message = describeError(
      failure(429, { detail: "Bumped less than 24 hours ago." }, { "retry-after": "120" }),
    );
    expect(message).toBe("Bumped less than 24 hours ago. Retry after 120 seconds.");
  });

  it("reports a server failure with its status", () => {
    expect(describeError(failure(502, ""))).toBe(
      "The server failed (HTTP 502). Try again in a moment.",
    );
  });
});

describe("client interceptor", () => {
  function clientAnswering(status, data) {
    const client = createClient();
    client.defaults.adapter = async (config) => {
      const response = { status, data, headers: {}, config, statusText: "" };
      if (status >= 400) {
        const error = new Error(`Request failed with status code ${status}`);
        error.response = response;
        error.config = config;
        throw error;
      }
      return response;
    };
    return client;
  }

  it("adds userMessage and fieldErrors to a validation error", async () => {
    const client = clientAnswering(400, { q: ["The search query is empty."] });

    const error = await client.get("/api/v1/listings/").catch((caught) => caught);

    expect(error.userMessage).toBe("q: The search query is empty.");
    expect(error.fieldErrors).toEqual({ q: ["The search query is empty."] });
  });

  it("adds no fieldErrors to a server failure", async () => {
    const client = clientAnswering(500, { detail: "boom" });

    const error = await client.get("/api/v1/feed/").catch((caught) => caught);

    expect(error.userMessage).toBe("boom");
    expect(error.fieldErrors).toEqual({});
  });

  it("sends the CSRF cookie in the header Django reads", () => {
    const client = createClient();
    expect(client.defaults.xsrfCookieName).toBe("csrftoken");
    expect(client.defaults.xsrfHeaderName).toBe("X-CSRFToken");
  });
});
