import { act, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { fetchCart, fetchUnreadCount } from "../api/shop";
import { AuthProvider } from "../auth/AuthContext";
import { ShopProvider } from "./ShopContext";
import { ShopNav } from "./ShopNav";

// The shop API is the network boundary of this unit.
vi.mock("../api/shop", () => ({ fetchCart: vi.fn(), fetchUnreadCount: vi.fn() }));

function renderNav(user = { username: "seller" }) {
  const sockets = [];
  const openSocket = vi.fn((options) => {
    const socket = { options, close: vi.fn() };
    sockets.push(socket);
    return socket;
  });
  const view = render(
    <AuthProvider initialUser={user}>
      <ShopProvider openSocket={openSocket}>
        <MemoryRouter>
          <ShopNav />
        </MemoryRouter>
      </ShopProvider>
    </AuthProvider>,
  );
  return { ...view, openSocket, sockets };
}

describe("ShopNav", () => {
  beforeEach(() => {
    fetchCart.mockReset();
    fetchUnreadCount.mockReset();
    fetchCart.mockResolvedValue([{ listing: { id: 1 } }, { listing: { id: 2 } }]);
    fetchUnreadCount.mockResolvedValue(1);
  });

  it("shows the cart size and unread count", async () => {
    renderNav();

    expect((await screen.findByRole("link", { name: "Cart 2 items" })).getAttribute("href")).toBe("/cart");
    expect(await screen.findByRole("link", { name: "Notifications 1 unread" })).toBeTruthy();
    expect(screen.getByRole("link", { name: "Favorites" }).getAttribute("href")).toBe("/favorites");
    expect(screen.getByRole("link", { name: "Orders" }).getAttribute("href")).toBe("/orders");
    expect(screen.getByRole("link", { name: "Offers" }).getAttribute("href")).toBe("/offers");
  });

  it("shows no badge for zero", async () => {
    fetchCart.mockResolvedValue([]);
    fetchUnreadCount.mockResolvedValue(0);
    renderNav();

    await vi.waitFor(() => expect(fetchUnreadCount).toHaveBeenCalled());
    expect(await screen.findByRole("link", { name: "Cart" })).toBeTruthy();
    expect(screen.getByRole("link", { name: "Notifications" })).toBeTruthy();
  });

  it("counts a pushed notification", async () => {
    const { sockets } = renderNav();
    await screen.findByRole("link", { name: "Notifications 1 unread" });

    act(() => sockets[0].options.onNotification({ id: 3, read_at: null }));

    expect(screen.getByRole("link", { name: "Notifications 2 unread" })).toBeTruthy();
  });

  it("counts again when the window regains focus", async () => {
    renderNav();
    await screen.findByRole("link", { name: "Cart 2 items" });
    fetchCart.mockResolvedValue([{ listing: { id: 1 } }]);

    act(() => window.dispatchEvent(new Event("focus")));

    expect(await screen.findByRole("link", { name: "Cart 1 item" })).toBeTruthy();
  });

  it("opens no socket for a signed-out visitor", () => {
    const { openSocket } = renderNav(null);
    expect(openSocket).not.toHaveBeenCalled();
    expect(fetchCart).not.toHaveBeenCalled();
  });
});
