import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router-dom";
import { beforeEach, describe, expect, it, vi } from "vitest";

import {
  addFavorite,
  addToCart,
  fetchCart,
  fetchFavoriteCount,
  fetchFavorites,
  fetchOffers,
  makeOffer,
  removeFavorite,
} from "../api/shop";
import { AuthProvider } from "../auth/AuthContext";
import { BuyerActions, unavailableText } from "./BuyerActions";

// The shop API is the network boundary of this unit.
vi.mock("../api/shop", () => ({
  addFavorite: vi.fn(),
  addToCart: vi.fn(),
  fetchCart: vi.fn(),
  fetchFavoriteCount: vi.fn(),
  fetchFavorites: vi.fn(),
  fetchOffers: vi.fn(),
  makeOffer: vi.fn(),
  removeFavorite: vi.fn(),
}));

const LISTING = {
  id: 41,
  title: "맥북 프로 팝니다",
  price: "1200000",
  currency: "KRW",
  status: "active",
  is_own: false,
  reserved_for: null,
};

function renderActions(listing = LISTING, user = { username: "buyer" }) {
  return render(
    <AuthProvider initialUser={user}>
      <MemoryRouter>
        <BuyerActions listing={listing} />
      </MemoryRouter>
    </AuthProvider>,
  );
}

function rejection(userMessage, fieldErrors = {}) {
  return Object.assign(new Error("Request failed"), { userMessage, fieldErrors });
}

describe("unavailableText", () => {
  it.each([
    [{ status: "active" }, null],
    [{ status: "reserved", reserved_for: "buyer" }, null],
    [{ status: "reserved", reserved_for: null }, "This listing is reserved for another buyer."],
    [{ status: "sold" }, "This listing is already sold."],
    [{ status: "hidden" }, "This listing is not for sale now."],
  ])("explains %j", (listing, text) => {
    expect(unavailableText(listing, "buyer")).toBe(text);
  });
});

describe("BuyerActions", () => {
  beforeEach(() => {
    for (const mock of [
      addFavorite,
      addToCart,
      fetchCart,
      fetchFavoriteCount,
      fetchFavorites,
      fetchOffers,
      makeOffer,
      removeFavorite,
    ]) {
      mock.mockReset();
    }
    fetchFavoriteCount.mockResolvedValue(2);
    fetchFavorites.mockResolvedValue([]);
    fetchCart.mockResolvedValue([]);
    fetchOffers.mockResolvedValue([]);
  });

  it("offers sign-in that returns to the listing", async () => {
    renderActions(LISTING, null);

    expect(await screen.findByText("2 people have favorited this listing.")).toBeTruthy();
    const link = screen.getByRole("link", { name: "Sign in to favorite, buy or make an offer" });
    expect(link.getAttribute("href")).toBe("/sign-in?next=%2Flistings%2F41");
    expect(screen.queryByRole("button")).toBeNull();
    expect(fetchFavorites).not.toHaveBeenCalled();
  });

  it("shows the seller the count only", async () => {
    fetchFavoriteCount.mockResolvedValue(1);
    renderActions({ ...LISTING, is_own: true });

    expect(await screen.findByText("1 person has favorited this listing.")).toBeTruthy();
    expect(screen.queryByRole("button")).toBeNull();
    expect(fetchCart).not.toHaveBeenCalled();
  });

  it("toggles the favorite and its count", async () => {
    addFavorite.mockResolvedValue({});
    removeFavorite.mockResolvedValue(undefined);
    renderActions();
    const favorite = await screen.findByRole("button", { name: "☆ Favorite" });
    await screen.findByText("2 people have favorited this listing.");
    fetchFavoriteCount.mockResolvedValue(3);

    await userEvent.click(favorite);

    const favorited = await screen.findByRole("button", { name: "★ Favorited" });
    expect(favorited.getAttribute("aria-pressed")).toBe("true");
    expect(addFavorite).toHaveBeenCalledWith(41);
    expect(await screen.findByText("3 people have favorited this listing.")).toBeTruthy();

    fetchFavoriteCount.mockResolvedValue(2);
    await userEvent.click(favorited);

    expect(removeFavorite).toHaveBeenCalledWith(41);
    expect((await screen.findByRole("button", { name: "☆ Favorite" })).getAttribute("aria-pressed")).toBe("false");
  });

  it("starts favorited and in the cart when it is", async () => {
    fetchFavorites.mockResolvedValue([{ listing: { id: 41 } }]);
    fetchCart.mockResolvedValue([{ listing: { id: 41 } }]);
    renderActions();

    expect(await screen.findByRole("button", { name: "★ Favorited" })).toBeTruthy();
    expect(screen.getByRole("link", { name: "In your cart: view the cart" }).getAttribute("href")).toBe("/cart");
    expect(screen.queryByRole("button", { name: "Add to cart" })).toBeNull();
  });

  it("adds the listing to the cart", async () => {
    addToCart.mockResolvedValue({ listing: 41 });
    renderActions();

    await userEvent.click(await screen.findByRole("button", { name: "Add to cart" }));

    expect(addToCart).toHaveBeenCalledWith(41);
    expect(await screen.findByRole("link", { name: "In your cart: view the cart" })).toBeTruthy();
  });

  it("shows why the cart rejected the listing", async () => {
    addToCart.mockRejectedValue(rejection("Listing 41 ('맥북 프로 팝니다') is already sold."));
    renderActions();

    await userEvent.click(await screen.findByRole("button", { name: "Add to cart" }));

    expect((await screen.findByRole("alert")).textContent).toBe("Listing 41 ('맥북 프로 팝니다') is already sold.");
    expect(screen.getByRole("button", { name: "Add to cart" })).toBeTruthy();
  });

  it("offers no cart or offer on a sold listing", async () => {
    renderActions({ ...LISTING, status: "sold" });

    expect(await screen.findByText("This listing is already sold.")).toBeTruthy();
    await screen.findByRole("button", { name: "☆ Favorite" });
    expect(screen.queryByRole("button", { name: "Add to cart" })).toBeNull();
    expect(screen.queryByLabelText("Your offer (KRW)")).toBeNull();
  });

  it("checks the amount before sending an offer", async () => {
    renderActions();
    const amount = await screen.findByLabelText("Your offer (KRW)");

    await userEvent.type(amount, "1100000.5");
    await userEvent.click(screen.getByRole("button", { name: "Make an offer" }));

    expect(screen.getByText("Amount 1100000.5 KRW has 1 decimal place; KRW prices are whole numbers.")).toBeTruthy();
    expect(amount.getAttribute("aria-invalid")).toBe("true");
    expect(makeOffer).not.toHaveBeenCalled();
  });

  it("sends an offer and shows its status", async () => {
    makeOffer.mockResolvedValue({ id: 5, listing: { id: 41 }, amount: "1100000.00", currency: "KRW", status: "pending" });
    renderActions();

    await userEvent.type(await screen.findByLabelText("Your offer (KRW)"), "1100000");
    await userEvent.click(screen.getByRole("button", { name: "Make an offer" }));

    expect(makeOffer).toHaveBeenCalledWith(41, "1100000");
    const region = screen.getByRole("region", { name: "Buy" });
    expect(await within(region).findByText(/^Your offer of ₩1,100,000: waiting for the seller\./)).toBeTruthy();
    expect(screen.queryByLabelText("Your offer (KRW)")).toBeNull();
  });

  it("shows the API's amount error at the field", async () => {
    makeOffer.mockRejectedValue(
      rejection("amount: Ensure that there are no more than 12 digits in total.", {
        amount: ["Ensure that there are no more than 12 digits in total."],
      }),
    );
    renderActions();

    await userEvent.type(await screen.findByLabelText("Your offer (KRW)"), "1000");
    await userEvent.click(screen.getByRole("button", { name: "Make an offer" }));

    expect(await screen.findByText("Ensure that there are no more than 12 digits in total.")).toBeTruthy();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("shows a conflict of the offer as an alert", async () => {
    makeOffer.mockRejectedValue(
      rejection("You already have an open offer on listing 41; withdraw it before making a new one."),
    );
    renderActions();

    await userEvent.type(await screen.findByLabelText("Your offer (KRW)"), "1000");
    await userEvent.click(screen.getByRole("button", { name: "Make an offer" }));

    expect((await screen.findByRole("alert")).textContent).toBe(
      "You already have an open offer on listing 41; withdraw it before making a new one.",
    );
  });

  it("shows an open offer instead of the form", async () => {
    fetchOffers.mockResolvedValue([
      { id: 9, listing: { id: 41 }, amount: "1000000.00", currency: "KRW", status: "countered" },
      { id: 3, listing: { id: 41 }, amount: "900000.00", currency: "KRW", status: "declined" },
    ]);
    renderActions();

    expect(
      await screen.findByText(/^Your offer of ₩1,000,000: the seller countered; waiting for the buyer\./),
    ).toBeTruthy();
    expect(screen.queryByLabelText("Your offer (KRW)")).toBeNull();
    expect(fetchOffers).toHaveBeenCalledWith("buying", expect.anything());
  });

  it("shows a failed load", async () => {
    fetchFavorites.mockRejectedValue(rejection("The server failed (HTTP 502). Try again in a moment."));
    renderActions();

    expect((await screen.findByRole("alert")).textContent).toBe("The server failed (HTTP 502). Try again in a moment.");
    expect(screen.getByRole("button", { name: "☆ Favorite" }).disabled).toBe(true);
  });
});
