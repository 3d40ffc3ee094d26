import { describe, expect, it, vi } from "vitest";

import { notificationSocketUrl, openNotificationSocket } from "./notificationSocket";

/** Creates a stand-in WebSocket class that records each instance. */
function fakeSocketClass() {
  const sockets = [];
  class FakeSocket {
    constructor(url) {
      this.url = url;
      this.closed = false;
      sockets.push(this);
    }

    close() {
      this.closed = true;
    }
  }
  return { FakeSocket, sockets };
}

function openWithFakes(onNotification = vi.fn()) {
  const { FakeSocket, sockets } = fakeSocketClass();
  const timers = [];
  const handle = openNotificationSocket({
    onNotification,
    url: "ws://127.0.0.1:8000/ws/notifications/",
    WebSocketClass: FakeSocket,
    setTimer: (callback, delay) => {
      timers.push({ callback, delay });
      return timers.length;
    },
    clearTimer: vi.fn(),
  });
  return { handle, sockets, timers, onNotification };
}

describe("notificationSocketUrl", () => {
  it("uses ws on http and wss on https", () => {
    expect(notificationSocketUrl({ protocol: "http:", host: "127.0.0.1:8000" })).toBe(
      "ws://127.0.0.1:8000/ws/notifications/",
    );
    expect(notificationSocketUrl({ protocol: "https:", host: "example.org" })).toBe(
      "wss://example.org/ws/notifications/",
    );
  });
});

describe("openNotificationSocket", () => {
  it("passes each pushed notification on", () => {
    const { sockets, onNotification } = openWithFakes();
    const notification = { id: 3, kind: "order_placed", message: "buyer ordered 1 of your listings (order 7).", read_at: null };

    sockets[0].onmessage({ data: JSON.stringify({ type: "notification", notification }) });
    sockets[0].onmessage({ data: JSON.stringify({ type: "marked_read", id: 3 }) });
    sockets[0].onmessage({ data: "not json" });

    expect(onNotification).toHaveBeenCalledTimes(1);
    expect(onNotification).toHaveBeenCalledWith(notification);
  });

  it("reconnects with a doubling delay", () => {
    const { sockets, timers } = openWithFakes();

    sockets[0].onclose({ code: 1006 });
    timers[0].callback();
    sockets[1].onclose({ code: 1006 });

    expect(sockets).toHaveLength(2);
    expect(timers.map((timer) => timer.delay)).toEqual([2000, 4000]);
  });

  it("resets the delay after a connection opens", () => {
    const { sockets, timers } = openWithFakes();

    sockets[0].onclose({ code: 1006 });
    timers[0].callback();
    sockets[1].onopen();
    sockets[1].onclose({ code: 1006 });

    expect(timers.map((timer) => timer.delay)).toEqual([2000, 2000]);
  });

  it("stops for a signed-out user", () => {
    const { sockets, timers } = openWithFakes();
    sockets[0].onclose({ code: 4401 });
    expect(timers).toEqual([]);
  });

  it("stops after close", () => {
    const { handle, sockets, timers } = openWithFakes();

    handle.close();
    sockets[0].onclose({ code: 1000 });

    expect(sockets[0].closed).toBe(true);
    expect(timers).toEqual([]);
  });
});
