import { act, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { InfiniteList } from "./InfiniteList";

// jsdom has no IntersectionObserver, so this stand-in lets a test signal
// when the end of the list scrolls into view.
class FakeIntersectionObserver {
  static instances = [];

  constructor(callback, options) {
    this.callback = callback;
    this.options = options;
    this.targets = [];
    FakeIntersectionObserver.instances.push(this);
  }

  observe(target) {
    this.targets.push(target);
  }

  disconnect() {
    this.targets = [];
  }

  reveal(isIntersecting = true) {
    this.callback(this.targets.map((target) => ({ target, isIntersecting })));
  }
}

function pagesState(overrides = {}) {
  return {
    items: [{ key: 1, title: "맥북 에어" }],
    status: "idle",
    error: null,
    hasMore: true,
    pagesLoaded: 1,
    loadMore: vi.fn(),
    ...overrides,
  };
}

function renderList(pages) {
  return render(
    <InfiniteList
      label="Results"
      pages={pages}
      emptyMessage="Nothing here."
      renderItem={(item) => <li key={item.key}>{item.title}</li>}
    />,
  );
}

describe("InfiniteList", () => {
  beforeEach(() => {
    FakeIntersectionObserver.instances = [];
    window.IntersectionObserver = FakeIntersectionObserver;
  });

  afterEach(() => {
    delete window.IntersectionObserver;
  });

  it("loads more when the end scrolls into view", () => {
    const pages = pagesState();
    renderList(pages);
    const observer = FakeIntersectionObserver.instances.at(-1);

    act(() => observer.reveal(true));

    expect(pages.loadMore).toHaveBeenCalledTimes(1);
    expect(observer.targets[0].className).toBe("sentinel");
  });

  it("does not load while the end is out of view", () => {
    const pages = pagesState();
    renderList(pages);

    act(() => FakeIntersectionObserver.instances.at(-1).reveal(false));

    expect(pages.loadMore).not.toHaveBeenCalled();
  });

  it("stops observing when unmounted", () => {
    const { unmount } = renderList(pagesState());
    const observer = FakeIntersectionObserver.instances.at(-1);

    unmount();

    expect(observer.targets).toEqual([]);
  });

  it("marks the list busy and announces loading", () => {
    renderList(pagesState({ status: "loading", hasMore: true }));
    expect(screen.getByRole("region", { name: "Results" }).getAttribute("aria-busy")).toBe("true");
    expect(screen.getByRole("status").textContent).toBe("Loading more…");
  });

  it("shows the empty state only when done", () => {
    renderList(pagesState({ items: [], status: "done", hasMore: false }));
    expect(screen.getByText("Nothing here.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();
  });
});
