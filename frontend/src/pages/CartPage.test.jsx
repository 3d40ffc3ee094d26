import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router-dom";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { checkoutCart, fetchCart, removeFromCart } from "../api/shop";
import { AuthProvider } from "../auth/AuthContext";
import { CartPage } from "./CartPage";

// The shop API is the network boundary of this unit.
vi.mock("../api/shop", () => ({
  checkoutCart: vi.fn(),
  fetchCart: vi.fn(),
  removeFromCart: vi.fn(),
}));

function line(id, title, seller, price, message = "") {
  return {
    listing: { id, title, price, currency: "KRW", status: message ? "sold" : "active", seller },
    price,
    is_available: message === "",
    unavailable_reason: message ? "sold" : null,
    message,
  };
}

const LENS = line(1, "Sony 50mm lens", "minji", "300000.00");
const CAMERA = line(2, "Sony a6400", "minji", "700000.00", "This listing is already sold.");
const ROUTER = line(3, "ipTIME router", "junho", "25000.00");

function renderCart(user = { username: "buyer" }) {
  return render(
    <AuthProvider initialUser={user}>
      <MemoryRouter initialEntries={["/cart"]}>
        <CartPage />
      </MemoryRouter>
    </AuthProvider>,
  );
}

function conflict(messages) {
  return Object.assign(new Error("Request failed with status code 409"), {
    userMessage: messages.join(" "),
    response: {
      status: 409,
      data: {
        detail: messages.join(" "),
        unavailable: messages.map((message, index) => ({ listing: index + 1, reason: "sold", message })),
      },
    },
  });
}

describe("CartPage", () => {
  beforeEach(() => {
    fetchCart.mockReset();
    checkoutCart.mockReset();
    removeFromCart.mockReset();
  });

  it("groups lines by seller with their totals", async () => {
    fetchCart.mockResolvedValue([LENS, ROUTER]);
    renderCart();

    const minji = await screen.findByRole("region", { name: "From minji" });
    expect(within(minji).getByText("Subtotal:").textContent).toBe("Subtotal: ₩300,000");
    const junho = screen.getByRole("region", { name: "From junho" });
    expect(within(junho).getByText("Subtotal:").textContent).toBe("Subtotal: ₩25,000");
    expect(screen.getByText("To pay in person:").textContent).toBe("To pay in person: ₩325,000");
    expect(screen.getByRole("button", { name: "Check out" }).disabled).toBe(false);
  });

  it("marks an unavailable line and blocks its seller", async () => {
    fetchCart.mockResolvedValue([LENS, CAMERA, ROUTER]);
    renderCart();

    const minji = await screen.findByRole("region", { name: "From minji" });
    expect(within(minji).getByText("Unavailable: This listing is already sold.")).toBeTruthy();
    expect(within(minji).getByRole("button", { name: "Remove Sony a6400" })).toBeTruthy();
    expect(within(minji).getByText(/^Nothing from minji is bought while an unavailable listing is/)).toBeTruthy();
    expect(within(minji).queryByText("Subtotal:")).toBeNull();
    expect(screen.getByText("To pay in person:").textContent).toBe("To pay in person: ₩25,000");
  });

  it("disables checkout when no seller can sell", async () => {
    fetchCart.mockResolvedValue([CAMERA]);
    renderCart();

    expect(await screen.findByText("No seller's listings can be bought now.")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Check out" }).disabled).toBe(true);
  });

  it("removes a line", async () => {
    fetchCart.mockResolvedValue([LENS, CAMERA]);
    removeFromCart.mockResolvedValue(undefined);
    renderCart();

    await userEvent.click(await screen.findByRole("button", { name: "Remove Sony a6400" }));

    expect(removeFromCart).toHaveBeenCalledWith(2);
    expect(screen.queryByText("Sony a6400")).toBeNull();
    expect(screen.getByText("To pay in person:").textContent).toBe("To pay in person: ₩300,000");
  });

  it("shows the error of a failed removal", async () => {
    fetchCart.mockResolvedValue([LENS]);
    removeFromCart.mockRejectedValue(
      Object.assign(new Error("Request failed with status code 404"), {
        userMessage: "Listing 1 is not in the cart.",
      }),
    );
    renderCart();

    await userEvent.click(await screen.findByRole("button", { name: "Remove Sony 50mm lens" }));

    expect((await screen.findByRole("alert")).textContent).toBe("Listing 1 is not in the cart.");
    expect(screen.getByText("Sony 50mm lens")).toBeTruthy();
  });

  it("checks out and reports the orders", async () => {
    fetchCart.mockResolvedValueOnce([LENS, ROUTER]).mockResolvedValueOnce([]);
    checkoutCart.mockResolvedValue({
      orders: [{ id: 7, seller: "minji" }, { id: 8, seller: "junho" }],
      unavailable: [],
    });
    renderCart();

    await userEvent.click(await screen.findByRole("button", { name: "Check out" }));

    const status = await screen.findByRole("status");
    expect(status.textContent).toContain("2 orders arranged with minji, junho.");
    expect(await screen.findByText(/^Your cart is empty\./)).toBeTruthy();
    expect(fetchCart).toHaveBeenCalledTimes(2);
  });

  it("shows each listing a failed checkout left out", async () => {
    fetchCart.mockResolvedValueOnce([LENS]).mockResolvedValueOnce([{ ...LENS, is_available: false }]);
    checkoutCart.mockRejectedValue(conflict(["Listing 1 ('Sony 50mm lens') is already sold."]));
    renderCart();

    await userEvent.click(await screen.findByRole("button", { name: "Check out" }));

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toBe("Listing 1 ('Sony 50mm lens') is already sold.");
    expect(screen.queryByRole("status")).toBeNull();
  });

  it("shows a failed load", async () => {
    fetchCart.mockRejectedValue(
      Object.assign(new Error("Network Error"), {
        userMessage: "The server could not be reached. Check your connection and try again.",
      }),
    );
    renderCart();

    expect((await screen.findByRole("alert")).textContent).toBe(
      "The server could not be reached. Check your connection and try again.",
    );
  });

  it("shows the empty state", async () => {
    fetchCart.mockResolvedValue([]);
    renderCart();

    expect(await screen.findByText(/^Your cart is empty\./)).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Check out" })).toBeNull();
  });

  it("asks a signed-out visitor to sign in", () => {
    renderCart(null);
    expect(screen.getByRole("link", { name: "Sign in" }).getAttribute("href")).toBe("/sign-in?next=%2Fcart");
    expect(fetchCart).not.toHaveBeenCalled();
  });
});
