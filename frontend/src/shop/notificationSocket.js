// The per-user notifications websocket (notifications/consumers.py). The
// server pushes `{"type": "notification", "notification": {...}}` for
// each new notification and closes with 4401 when no user is signed in.
export const NOTIFICATIONS_SOCKET_PATH = "/ws/notifications/";
export const CLOSE_NOT_SIGNED_IN = 4401;
export const FIRST_RETRY_MS = 2000;
export const MAX_RETRY_MS = 60000;

/** Returns the socket URL on the page's own host: ws:// or wss://. */
export function notificationSocketUrl(location = window.location) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${NOTIFICATIONS_SOCKET_PATH}`;
}

/**
 * Opens the socket and calls `onNotification(notification)` for each push.
 * A dropped connection is opened again after 2 s, doubling up to 60 s;
 * a close for a signed-out user is final. Returns `{close()}`.
 */
export function openNotificationSocket({
  onNotification,
  url = notificationSocketUrl(),
  WebSocketClass = globalThis.WebSocket,
  setTimer = setTimeout,
  clearTimer = clearTimeout,
}) {
  if (typeof WebSocketClass !== "function") {
    return { close() {} };
  }
  let socket = null;
  let timer = null;
  let stopped = false;
  let delay = FIRST_RETRY_MS;

  function connect() {
    timer = null;
    socket = new WebSocketClass(url);
    socket.onopen = () => {
      delay = FIRST_RETRY_MS;
    };
    socket.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message?.type === "notification" && message.notification) {
        onNotification(message.notification);
      }
    };
    socket.onclose = (event) => {
      if (stopped || event.code === CLOSE_NOT_SIGNED_IN) {
        return;
      }
      timer = setTimer(connect, delay);
      delay = Math.min(delay * 2, MAX_RETRY_MS);
    };
  }

  connect();
  return {
    close() {
      stopped = true;
      if (timer !== null) {
        clearTimer(timer);
      }
      socket?.close();
    },
  };
}
