import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router-dom";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { fetchCart, fetchNotifications, fetchUnreadCount, markNotificationRead } from "../api/shop";
import { AuthProvider } from "../auth/AuthContext";
import { ShopProvider } from "../shop/ShopContext";
import { ShopNav } from "../shop/ShopNav";
import { NotificationsPage, notificationLink } from "./NotificationsPage";

// The shop API is the network boundary of this unit.
vi.mock("../api/shop", () => ({
  fetchCart: vi.fn(),
  fetchNotifications: vi.fn(),
  fetchUnreadCount: vi.fn(),
  markNotificationRead: vi.fn(),
}));

const PLACED = {
  id: 2,
  kind: "order_placed",
  message: "buyer ordered 1 of your listings (order 7).",
  listing: null,
  data: { order: 7 },
  created_at: "2026-12-04T12:00:00Z",
  read_at: null,
};
const DROP = {
  id: 1,
  kind: "price_drop",
  message: "Galaxy S21 dropped from 450000 to 400000 KRW.",
  listing: 41,
  data: { listing: 41 },
  created_at: "2026-12-03T12:00:00Z",
  read_at: "2026-12-03T13:00:00Z",
};

function renderPage() {
  const sockets = [];
  const openSocket = (options) => {
    sockets.push(options);
    return { close() {} };
  };
  render(
    <AuthProvider initialUser={{ username: "seller" }}>
      <ShopProvider openSocket={openSocket}>
        <MemoryRouter>
          <ShopNav />
          <NotificationsPage />
        </MemoryRouter>
      </ShopProvider>
    </AuthProvider>,
  );
  return sockets;
}

describe("notificationLink", () => {
  it.each([
    [PLACED, "/orders"],
    [{ data: { offer: 3 }, listing: 41 }, "/offers"],
    [DROP, "/listings/41"],
    [{ data: {}, listing: null }, null],
  ])("links %j", (notification, path) => {
    expect(notificationLink(notification)).toBe(path);
  });
});

describe("NotificationsPage", () => {
  beforeEach(() => {
    fetchCart.mockReset();
    fetchNotifications.mockReset();
    fetchUnreadCount.mockReset();
    markNotificationRead.mockReset();
    fetchCart.mockResolvedValue([]);
    fetchNotifications.mockResolvedValue([PLACED, DROP]);
    // PLACED is the one unread notification.
    fetchUnreadCount.mockResolvedValue(1);
  });

  it("marks a notification read and lowers the count", async () => {
    markNotificationRead.mockResolvedValue({ ...PLACED, read_at: "2026-12-04T12:05:00Z" });
    renderPage();
    await screen.findByRole("link", { name: "Notifications 1 unread" });

    await userEvent.click(
      await screen.findByRole("button", { name: "Mark as read: buyer ordered 1 of your listings (order 7)." }),
    );

    expect(markNotificationRead).toHaveBeenCalledWith(2);
    expect(await screen.findByRole("link", { name: "Notifications" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: /Mark as read/ })).toBeNull();
  });

  it("adds a pushed notification to the top", async () => {
    const sockets = renderPage();
    await screen.findByText(PLACED.message);
    const offer = { ...PLACED, id: 3, kind: "offer_received", message: "buyer offers 1000 KRW for Galaxy S21.", data: { offer: 5 } };

    act(() => sockets[0].onNotification(offer));

    const links = screen.getAllByRole("link").filter((link) => link.closest("main, ul.cart-lines"));
    expect(links.map((link) => link.textContent)).toEqual([offer.message, PLACED.message, DROP.message]);
    expect(screen.getByRole("link", { name: "Notifications 2 unread" })).toBeTruthy();
  });

  it("shows the empty state", async () => {
    fetchNotifications.mockResolvedValue([]);
    renderPage();
    expect(await screen.findByText(/^No notifications yet\./)).toBeTruthy();
  });

  it("shows a failed load with a retry", async () => {
    fetchNotifications.mockRejectedValue(
      Object.assign(new Error("Request failed with status code 403"), {
        userMessage: "You are not allowed to do this. Sign in with an account that may.",
      }),
    );
    renderPage();

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("You are not allowed to do this.");
    expect(screen.getByRole("button", { name: "Try again" })).toBeTruthy();
  });
});
