import { act, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import {
  CONNECTION,
  FALLBACK_INTERVAL_MS,
  fallbackRetryDelay,
  isFinalClose,
  reconnectDelay,
  sessionSocketUrl,
  useSessionSocket,
} from "./useSessionSocket";

/** A WebSocket stand-in that the test opens, closes and talks through. */
class FakeWebSocket {
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    this.closedWith = null;
    this.onopen = null;
    this.onmessage = null;
    this.onclose = null;
  }

  send(data) {
    this.sent.push(JSON.parse(data));
  }

  close(code) {
    this.closedWith = code;
    this.readyState = 3;
  }

  serverOpens() {
    this.readyState = 1;
    this.onopen?.({});
  }

  serverSends(message) {
    this.onmessage?.({ data: typeof message === "string" ? message : JSON.stringify(message) });
  }

  serverCloses(code) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

const LOST = 1006;
const SIGNED_OUT = 4401;
// random() == 1 puts every delay at its cap: 1000, 2000, 4000 ms, ...
const atCap = () => 1;

let sockets;
let createSocket;
let fetchFallback;

function latest() {
  return sockets.at(-1);
}

function renderSocket(props = {}) {
  return renderHook((hookProps) => useSessionSocket(hookProps), {
    initialProps: { listingId: 7, createSocket, fetchFallback, random: atCap, ...props },
  });
}

/** Advances fake time and lets the settled promises run. */
async function advance(ms) {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
}

async function loseConnection(socket = latest()) {
  await act(async () => {
    socket.serverCloses(LOST);
  });
}

describe("reconnectDelay", () => {
  it("doubles from 1 s up to the 30 s cap", () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 10].map((attempt) => reconnectDelay(attempt, atCap));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it("draws from the upper half of the cap", () => {
    expect(reconnectDelay(0, () => 0)).toBe(500);
    expect(reconnectDelay(3, () => 0.5)).toBe(6000);
    expect(reconnectDelay(20, () => 0)).toBe(15000);
  });
});

describe("isFinalClose", () => {
  it("stops on normal and application closes", () => {
    expect([1000, 4000, 4401, 4999].map(isFinalClose)).toEqual([true, true, true, true]);
  });

  it("retries lost and going-away closes", () => {
    expect([1001, 1006, 1011, 1012].map(isFinalClose)).toEqual([false, false, false, false]);
  });
});

describe("sessionSocketUrl", () => {
  it("uses wss on an https page", () => {
    expect(sessionSocketUrl({ protocol: "https:", host: "shop.example:8443" })).toBe(
      "wss://shop.example:8443/ws/session/",
    );
  });

  it("uses ws on an http page", () => {
    expect(sessionSocketUrl({ protocol: "http:", host: "127.0.0.1:8000" })).toBe(
      "ws://127.0.0.1:8000/ws/session/",
    );
  });
});

describe("fallbackRetryDelay", () => {
  it("waits the 429 body's retry_after", () => {
    const error = { response: { status: 429, data: { retry_after: 42 }, headers: {} } };
    expect(fallbackRetryDelay(error)).toBe(42000);
  });

  it("falls back to the Retry-After header", () => {
    const error = { response: { status: 429, data: {}, headers: { "retry-after": "9" } } };
    expect(fallbackRetryDelay(error)).toBe(9000);
  });

  it("polls at the usual interval after other failures", () => {
    expect(fallbackRetryDelay({ response: { status: 500 } })).toBe(FALLBACK_INTERVAL_MS);
    expect(fallbackRetryDelay({})).toBe(FALLBACK_INTERVAL_MS);
  });
});

describe("useSessionSocket", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    sockets = [];
    createSocket = vi.fn((url) => {
      const socket = new FakeWebSocket(url);
      sockets.push(socket);
      return socket;
    });
    fetchFallback = vi.fn(() =>
      Promise.resolve({ type: "suggestions", listings: [{ id: 90, title: "fallback" }], source: "popularity" }),
    );
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it("opens the page's socket and sends the view on open", async () => {
    const { result } = renderSocket();

    expect(createSocket).toHaveBeenCalledTimes(1);
    expect(latest().url).toBe(`ws://${window.location.host}/ws/session/`);
    expect(result.current.connection).toBe(CONNECTION.CONNECTING);
    expect(latest().sent).toEqual([]);

    await act(async () => latest().serverOpens());

    expect(result.current.connection).toBe(CONNECTION.OPEN);
    expect(latest().sent).toEqual([{ type: "view", listing: 7 }]);
  });

  it("exposes pushed suggestions and ignores other messages", async () => {
    const { result } = renderSocket();
    await act(async () => latest().serverOpens());

    await act(async () => {
      latest().serverSends({ type: "viewed", listing: 7 });
      latest().serverSends("{not json");
      latest().serverSends({ type: "suggestions", listings: [{ id: 3 }], source: "tailnet" });
    });

    expect(result.current.suggestions).toEqual([{ id: 3 }]);
    expect(result.current.source).toBe("tailnet");
  });

  it("sends a view when the listing changes", async () => {
    const { rerender } = renderSocket();
    await act(async () => latest().serverOpens());

    rerender({ listingId: 8, createSocket, fetchFallback, random: atCap });

    expect(latest().sent).toEqual([
      { type: "view", listing: 7 },
      { type: "view", listing: 8 },
    ]);
    expect(createSocket).toHaveBeenCalledTimes(1);
  });

  it("backs off 1, 2, 4, 8 s between failed attempts", async () => {
    const { result } = renderSocket();
    const waits = [];

    for (let failure = 0; failure < 4; failure += 1) {
      await loseConnection();
      expect(result.current.connection).toBe(CONNECTION.RECONNECTING);
      const before = sockets.length;
      let waited = 0;
      while (sockets.length === before) {
        await advance(250);
        waited += 250;
      }
      waits.push(waited);
    }

    expect(waits).toEqual([1000, 2000, 4000, 8000]);
  });

  it("caps the wait at 30 s", async () => {
    renderSocket();
    // Five failures wait 1 + 2 + 4 + 8 + 16 s; the sixth is at the cap.
    for (const wait of [1000, 2000, 4000, 8000, 16000]) {
      await loseConnection();
      await advance(wait);
    }
    expect(sockets).toHaveLength(6);

    await loseConnection();
    await advance(29999);
    expect(sockets).toHaveLength(6);
    await advance(1);
    expect(sockets).toHaveLength(7);

    await loseConnection();
    await advance(29999);
    expect(sockets).toHaveLength(7);
    await advance(1);
    expect(sockets).toHaveLength(8);
  });

  it("resets the backoff after a successful open", async () => {
    renderSocket();
    await loseConnection();
    await advance(1000);
    await loseConnection();
    await advance(2000);
    expect(sockets).toHaveLength(3);

    await act(async () => latest().serverOpens());
    await loseConnection();
    await advance(999);
    expect(sockets).toHaveLength(3);
    await advance(1);

    expect(sockets).toHaveLength(4);
  });

  it("resends the current view after reconnecting", async () => {
    const { rerender } = renderSocket();
    await act(async () => latest().serverOpens());
    rerender({ listingId: 8, createSocket, fetchFallback, random: atCap });
    await loseConnection();
    await advance(1000);

    await act(async () => latest().serverOpens());

    expect(sockets).toHaveLength(2);
    expect(latest().sent).toEqual([{ type: "view", listing: 8 }]);
  });

  it("does not reconnect after a final close", async () => {
    const { result } = renderSocket();
    await act(async () => latest().serverOpens());

    await act(async () => latest().serverCloses(SIGNED_OUT));
    await advance(120000);

    expect(sockets).toHaveLength(1);
    expect(result.current.connection).toBe(CONNECTION.CLOSED);
    expect(fetchFallback).not.toHaveBeenCalled();
  });

  it("polls the HTTP endpoint while the socket is down", async () => {
    const { result } = renderSocket();
    await act(async () => latest().serverOpens());

    await loseConnection();
    expect(fetchFallback).toHaveBeenCalledTimes(1);
    await advance(0);
    expect(result.current.suggestions).toEqual([{ id: 90, title: "fallback" }]);
    expect(result.current.source).toBe("popularity");

    // Further failures while down start no second poll loop.
    await advance(1000);
    await loseConnection();
    expect(fetchFallback).toHaveBeenCalledTimes(1);
    await advance(FALLBACK_INTERVAL_MS - 1000);
    expect(fetchFallback).toHaveBeenCalledTimes(2);

    // Once the socket is back, polling stops.
    await advance(2000);
    await act(async () => latest().serverOpens());
    await advance(FALLBACK_INTERVAL_MS * 3);
    expect(fetchFallback).toHaveBeenCalledTimes(2);
    expect(result.current.connection).toBe(CONNECTION.OPEN);
  });

  it("waits retry_after after a 429 and keeps quiet", async () => {
    fetchFallback.mockRejectedValueOnce(
      Object.assign(new Error("throttled"), {
        response: { status: 429, data: { retry_after: 40 }, headers: {} },
        userMessage: "Too many requests.",
      }),
    );
    const { result } = renderSocket();

    await loseConnection();
    await advance(39999);
    expect(fetchFallback).toHaveBeenCalledTimes(1);
    expect(result.current.fallbackError).toBeNull();
    // The reconnected sockets never open here, so the poll goes on.
    await advance(1);

    expect(fetchFallback).toHaveBeenCalledTimes(2);
  });

  it("exposes the message of a failed poll", async () => {
    fetchFallback.mockRejectedValueOnce(
      Object.assign(new Error("Network Error"), { userMessage: "The server could not be reached." }),
    );
    const { result } = renderSocket();

    await loseConnection();
    await advance(0);

    expect(result.current.fallbackError).toBe("The server could not be reached.");
  });

  it("closes the socket and stops timers on unmount", async () => {
    const { unmount } = renderSocket();
    await loseConnection();
    await advance(1000);
    const open = latest();
    expect(sockets).toHaveLength(2);

    unmount();
    await advance(120000);

    expect(open.closedWith).toBe(1000);
    expect(sockets).toHaveLength(2);
    expect(fetchFallback).toHaveBeenCalledTimes(1);
  });

  it("clears a pending reconnect on unmount", async () => {
    const { unmount } = renderSocket();
    await loseConnection();

    unmount();
    await advance(120000);

    expect(sockets).toHaveLength(1);
  });

  it("opens a new socket when the user changes", async () => {
    const { rerender } = renderSocket({ identity: null });
    await act(async () => latest().serverOpens());
    const anonymous = latest();

    rerender({ listingId: 7, identity: "buyer", createSocket, fetchFallback, random: atCap });
    await act(async () => latest().serverOpens());

    expect(anonymous.closedWith).toBe(1000);
    expect(sockets).toHaveLength(2);
    expect(latest().sent).toEqual([{ type: "view", listing: 7 }]);
  });
});
