import { render, screen, within } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { fetchOrders } from "../api/shop";
import { AuthProvider } from "../auth/AuthContext";
import { OrdersPage } from "./OrdersPage";

// The shop API is the network boundary of this unit.
vi.mock("../api/shop", () => ({ fetchOrders: vi.fn(), rateOrder: vi.fn(), runOrderAction: vi.fn() }));

const SALE = {
  id: 7,
  buyer: "buyer",
  seller: "minji",
  status: "arranged",
  created_at: "2026-12-04T12:00:00Z",
  items: [{ listing: 41, title: "Sony 50mm lens", price: "300000.00", currency: "KRW", offer: null, is_active: true }],
  ratings: [],
};

describe("OrdersPage", () => {
  beforeEach(() => {
    fetchOrders.mockReset();
  });

  it("lists purchases and sales apart", async () => {
    fetchOrders.mockImplementation(async (role) => (role === "selling" ? [SALE] : []));
    render(
      <AuthProvider initialUser={{ username: "minji" }}>
        <MemoryRouter>
          <OrdersPage />
        </MemoryRouter>
      </AuthProvider>,
    );

    const sales = screen.getByRole("region", { name: "Your sales" });
    expect(await within(sales).findByRole("heading", { name: "Order 7 to buyer" })).toBeTruthy();
    const purchases = screen.getByRole("region", { name: "Your purchases" });
    expect(
      await within(purchases).findByText("You have not bought anything yet. Checked-out carts appear here."),
    ).toBeTruthy();
    expect(fetchOrders.mock.calls.map((call) => call[0]).sort()).toEqual(["buying", "selling"]);
  });

  it("shows a failed load with a retry", async () => {
    fetchOrders.mockRejectedValue(
      Object.assign(new Error("Request failed with status code 500"), {
        userMessage: "The server failed (HTTP 500). Try again in a moment.",
      }),
    );
    render(
      <AuthProvider initialUser={{ username: "minji" }}>
        <MemoryRouter>
          <OrdersPage />
        </MemoryRouter>
      </AuthProvider>,
    );

    const alerts = await screen.findAllByRole("alert");
    expect(alerts.map((alert) => alert.querySelector("p").textContent)).toEqual([
      "The server failed (HTTP 500). Try again in a moment.",
      "The server failed (HTTP 500). Try again in a moment.",
    ]);
    expect(screen.getAllByRole("button", { name: "Try again" })).toHaveLength(2);
  });
});
