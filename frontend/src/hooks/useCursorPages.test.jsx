import { act, renderHook, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { canLoadMore, cursorReducer, initialCursorState, useCursorPages } from "./useCursorPages";

function page(keys, next) {
  return { items: keys.map((key) => ({ key })), next };
}

describe("cursorReducer", () => {
  it("appends a page and keeps its cursor", () => {
    const state = cursorReducer(initialCursorState, { type: "success", ...page([1, 2], "/p2") });
    expect(state.items.map((item) => item.key)).toEqual([1, 2]);
    expect(state.next).toBe("/p2");
    expect(state.status).toBe("idle");
    expect(state.pagesLoaded).toBe(1);
  });

  it("drops items that an earlier page contains", () => {
    let state = cursorReducer(initialCursorState, { type: "success", ...page([1, 2], "/p2") });
    state = cursorReducer(state, { type: "success", ...page([2, 3, 3], "/p3") });
    expect(state.items.map((item) => item.key)).toEqual([1, 2, 3]);
  });

  it("ends when the page has no next link", () => {
    const state = cursorReducer(initialCursorState, { type: "success", ...page([1], null) });
    expect(state.status).toBe("done");
    expect(canLoadMore(state)).toBe(false);
  });

  it("keeps the cursor after a failure so a retry repeats it", () => {
    let state = cursorReducer(initialCursorState, { type: "success", ...page([1], "/p2") });
    state = cursorReducer(state, { type: "request" });
    state = cursorReducer(state, { type: "failure", message: "offline" });
    expect(state.status).toBe("error");
    expect(state.error).toBe("offline");
    expect(state.next).toBe("/p2");
    expect(canLoadMore(state)).toBe(true);
  });

  it("allows the first request of a fresh list", () => {
    expect(canLoadMore(initialCursorState)).toBe(true);
  });

  it("blocks a request while one is loading", () => {
    expect(canLoadMore({ ...initialCursorState, status: "loading" })).toBe(false);
  });

  it("rejects an unknown action", () => {
    expect(() => cursorReducer(initialCursorState, { type: "jump" })).toThrow(
      "Unknown cursor action type: jump",
    );
  });
});

describe("useCursorPages", () => {
  it("requests the first page with a null cursor, then the next link", async () => {
    const fetchPage = vi
      .fn()
      .mockResolvedValueOnce(page([1, 2], "/api/v1/feed/?cursor=abc"))
      .mockResolvedValueOnce(page([3], null));
    const { result } = renderHook(() => useCursorPages(fetchPage, "feed"));

    await waitFor(() => expect(result.current.pagesLoaded).toBe(1));
    await act(() => result.current.loadMore());

    expect(fetchPage.mock.calls.map((call) => call[0])).toEqual([
      null,
      "/api/v1/feed/?cursor=abc",
    ]);
    expect(result.current.items.map((item) => item.key)).toEqual([1, 2, 3]);
    expect(result.current.status).toBe("done");
    expect(result.current.hasMore).toBe(false);
  });

  it("sends one request when asked twice at once", async () => {
    let resolveSecond;
    const fetchPage = vi
      .fn()
      .mockResolvedValueOnce(page([1], "/p2"))
      .mockImplementationOnce(() => new Promise((resolve) => (resolveSecond = resolve)));
    const { result } = renderHook(() => useCursorPages(fetchPage, "feed"));
    await waitFor(() => expect(result.current.pagesLoaded).toBe(1));

    act(() => {
      result.current.loadMore();
      result.current.loadMore();
    });
    await act(async () => resolveSecond(page([2], null)));

    expect(fetchPage).toHaveBeenCalledTimes(2);
    expect(result.current.items.map((item) => item.key)).toEqual([1, 2]);
  });

  it("does not request past the last page", async () => {
    const fetchPage = vi.fn().mockResolvedValue(page([1], null));
    const { result } = renderHook(() => useCursorPages(fetchPage, "feed"));
    await waitFor(() => expect(result.current.status).toBe("done"));

    await act(() => result.current.loadMore());

    expect(fetchPage).toHaveBeenCalledTimes(1);
  });

  it("retries a failed page with the same cursor", async () => {
    const failure = Object.assign(new Error("Network Error"), {
      userMessage: "The server could not be reached.",
    });
    const fetchPage = vi
      .fn()
      .mockResolvedValueOnce(page([1], "/p2"))
      .mockRejectedValueOnce(failure)
      .mockResolvedValueOnce(page([2], null));
    const { result } = renderHook(() => useCursorPages(fetchPage, "feed"));
    await waitFor(() => expect(result.current.pagesLoaded).toBe(1));

    await act(() => result.current.loadMore());
    expect(result.current.status).toBe("error");
    expect(result.current.error).toBe("The server could not be reached.");

    await act(() => result.current.loadMore());
    expect(fetchPage.mock.calls.map((call) => call[0])).toEqual([null, "/p2", "/p2"]);
    expect(result.current.items.map((item) => item.key)).toEqual([1, 2]);
  });

  it("starts over when the reset key changes and ignores the old answer", async () => {
    let resolveOld;
    const fetchPage = vi
      .fn()
      .mockImplementationOnce(() => new Promise((resolve) => (resolveOld = resolve)))
      .mockResolvedValueOnce(page([10], null));
    const { result, rerender } = renderHook(({ query }) => useCursorPages(fetchPage, query), {
      initialProps: { query: "q=camera" },
    });

    rerender({ query: "q=맥북" });
    await waitFor(() => expect(result.current.pagesLoaded).toBe(1));
    await act(async () => resolveOld(page([1, 2], "/old")));

    expect(fetchPage.mock.calls[0][1].signal.aborted).toBe(true);
    expect(result.current.items.map((item) => item.key)).toEqual([10]);
    expect(result.current.status).toBe("done");
  });
});
