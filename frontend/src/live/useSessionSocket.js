import { useEffect, useRef, useState } from "react";

import { fetchSuggestions } from "../api/suggestions";

export const SESSION_SOCKET_PATH = "/ws/session/";
// Reconnect delays: the first retry waits up to RECONNECT_BASE_MS, each
// further one twice as long, never more than RECONNECT_MAX_MS.
export const RECONNECT_BASE_MS = 1000;
export const RECONNECT_MAX_MS = 30000;
// While the socket is down, the HTTP endpoint is polled this often.
export const FALLBACK_INTERVAL_MS = 15000;

export const CONNECTION = {
  CONNECTING: "connecting",
  OPEN: "open",
  RECONNECTING: "reconnecting",
  CLOSED: "closed",
};

const SOCKET_OPEN = 1;
// Close code 1000 is a normal closure that the other side chose, and 4000
// to 4999 are application codes, such as 4401 sent at sign-out. Codes such
// as 1001 (server going away) and 1006 (connection lost) are retried.
const NORMAL_CLOSURE = 1000;

/** Returns the session socket's URL for a page location (ws or wss). */
export function sessionSocketUrl(location) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${SESSION_SOCKET_PATH}`;
}

/** Returns whether a close code means that the server wants no retry. */
export function isFinalClose(code) {
  return code === NORMAL_CLOSURE || (code >= 4000 && code <= 4999);
}

/**
 * Returns the wait in ms before reconnect attempt `attempt` (0 for the
 * first). The cap is `min(max, base * 2^attempt)`. The wait is drawn from
 * the upper half of the cap ("equal jitter"), so that clients that lost
 * the same server do not all return at the same moment.
 */
export function reconnectDelay(attempt, random = Math.random) {
  const cap = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** attempt);
  return Math.round(cap / 2 + (cap / 2) * random());
}

/** Returns the ms to wait after a failed HTTP poll (Retry-After on 429). */
export function fallbackRetryDelay(error) {
  if (error.response?.status !== 429) {
    return FALLBACK_INTERVAL_MS;
  }
  const seconds = Number(
    error.response.data?.retry_after ?? error.response.headers?.["retry-after"],
  );
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : FALLBACK_INTERVAL_MS;
}

function openWebSocket(url) {
  return new WebSocket(url);
}

/**
 * Keeps a session socket open and returns the latest suggestions.
 *
 * It sends a view of `listingId` when the socket opens and whenever the
 * id changes, and again after each reconnect. A lost connection is
 * retried with `reconnectDelay` until it opens again, and meanwhile the
 * HTTP endpoint supplies the suggestions. A close that the server meant
 * as final (`isFinalClose`) is not retried. A change of `identity` (the
 * signed-in user's name, or null) opens a new socket, because the server
 * ties each socket to the user or session that opened it.
 *
 * Returns `{connection, suggestions, source, fallbackError}`:
 * `connection` is one of CONNECTION, `fallbackError` the message of the
 * last failed HTTP poll. `createSocket`, `fetchFallback` and `random` are
 * for tests and must keep their identity between renders.
 */
export function useSessionSocket({
  listingId = null,
  identity = null,
  enabled = true,
  createSocket = openWebSocket,
  fetchFallback = fetchSuggestions,
  random = Math.random,
} = {}) {
  const [state, setState] = useState({
    connection: CONNECTION.CONNECTING,
    suggestions: [],
    source: null,
    fallbackError: null,
  });
  const listingRef = useRef(listingId);
  const socketRef = useRef(null);

  useEffect(() => {
    if (!enabled) {
      return undefined;
    }
    let disposed = false;
    let attempt = 0;
    let reconnectTimer = null;
    let fallbackTimer = null;
    let fallbackController = null;

    function update(changes) {
      if (!disposed) {
        setState((previous) => ({ ...previous, ...changes }));
      }
    }

    function stopFallback() {
      clearTimeout(fallbackTimer);
      fallbackTimer = null;
      fallbackController?.abort();
      fallbackController = null;
    }

    function pollFallback() {
      const controller = new AbortController();
      fallbackController = controller;
      fetchFallback({ signal: controller.signal })
        .then((message) => {
          if (controller.signal.aborted || disposed) {
            return;
          }
          update({ suggestions: message.listings, source: message.source, fallbackError: null });
          fallbackTimer = setTimeout(pollFallback, FALLBACK_INTERVAL_MS);
        })
        .catch((error) => {
          if (controller.signal.aborted || disposed) {
            return;
          }
          // A 429 only sets when to poll again, so it is not shown.
          if (error.response?.status !== 429) {
            update({ fallbackError: error.userMessage ?? "The suggestions could not be loaded." });
          }
          fallbackTimer = setTimeout(pollFallback, fallbackRetryDelay(error));
        });
    }

    function sendView(socket) {
      const id = listingRef.current;
      if (id != null && socket.readyState === SOCKET_OPEN) {
        socket.send(JSON.stringify({ type: "view", listing: Number(id) }));
      }
    }

    function connect() {
      reconnectTimer = null;
      const socket = createSocket(sessionSocketUrl(window.location));
      socketRef.current = socket;
      socket.onopen = () => {
        attempt = 0;
        stopFallback();
        update({ connection: CONNECTION.OPEN, fallbackError: null });
        sendView(socket);
      };
      socket.onmessage = (event) => {
        let message;
        try {
          message = JSON.parse(event.data);
        } catch {
          return;
        }
        if (message?.type === "suggestions" && Array.isArray(message.listings)) {
          update({ suggestions: message.listings, source: message.source });
        }
      };
      socket.onclose = (event) => {
        socketRef.current = null;
        if (disposed) {
          return;
        }
        if (isFinalClose(event.code)) {
          stopFallback();
          update({ connection: CONNECTION.CLOSED });
          return;
        }
        update({ connection: CONNECTION.RECONNECTING });
        reconnectTimer = setTimeout(connect, reconnectDelay(attempt, random));
        attempt += 1;
        if (fallbackController === null) {
          pollFallback();
        }
      };
    }

    update({ connection: CONNECTION.CONNECTING });
    connect();
    return () => {
      disposed = true;
      clearTimeout(reconnectTimer);
      stopFallback();
      const socket = socketRef.current;
      socketRef.current = null;
      if (socket) {
        socket.onopen = null;
        socket.onmessage = null;
        socket.onclose = null;
        socket.close(NORMAL_CLOSURE);
      }
    };
  }, [enabled, identity, createSocket, fetchFallback, random]);

  useEffect(() => {
    listingRef.current = listingId;
    const socket = socketRef.current;
    if (listingId != null && socket?.readyState === SOCKET_OPEN) {
      socket.send(JSON.stringify({ type: "view", listing: Number(listingId) }));
    }
  }, [listingId]);

  return state;
}
