import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router-dom";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { counterOffer, runOfferAction } from "../api/shop";
import { OfferCard, offerActions } from "./OfferCard";

// The shop API is the network boundary of this unit.
vi.mock("../api/shop", () => ({ counterOffer: vi.fn(), runOfferAction: vi.fn() }));

const OFFER = {
  id: 12,
  listing: { id: 41, title: "Galaxy S21", price: "450000.00", currency: "KRW" },
  buyer: "buyer",
  amount: "400000.00",
  counter_amount: null,
  accepted_amount: null,
  currency: "KRW",
  status: "pending",
  hold_expires_at: null,
  updated_at: "2026-12-04T12:00:00Z",
};

function renderOffer(offer, role, onChange = vi.fn()) {
  render(
    <MemoryRouter>
      <ul>
        <OfferCard offer={offer} role={role} onChange={onChange} />
      </ul>
    </MemoryRouter>,
  );
  return onChange;
}

describe("offerActions", () => {
  it.each([
    ["pending", "selling", ["accept", "decline", "counter"]],
    ["countered", "selling", []],
    ["accepted", "selling", []],
    ["pending", "buying", ["withdraw"]],
    ["countered", "buying", ["accept", "decline", "counter", "withdraw"]],
    ["accepted", "buying", ["withdraw"]],
    ["declined", "buying", []],
    ["purchased", "buying", []],
  ])("allows a %s offer's %s side", (status, role, actions) => {
    expect(offerActions({ status }, role)).toEqual(actions);
  });
});

describe("OfferCard", () => {
  beforeEach(() => {
    runOfferAction.mockReset();
    counterOffer.mockReset();
  });

  it("lets the seller accept", async () => {
    const accepted = { ...OFFER, status: "accepted", accepted_amount: "400000.00", hold_expires_at: "2026-12-06T12:00:00Z" };
    runOfferAction.mockResolvedValue(accepted);
    const onChange = renderOffer(OFFER, "selling");

    expect(screen.getByText(/^buyer offers/).textContent).toBe("buyer offers ₩400,000 (asking ₩450,000)");
    await userEvent.click(screen.getByRole("button", { name: "Accept the offer on Galaxy S21" }));

    expect(runOfferAction).toHaveBeenCalledWith(12, "accept");
    expect(onChange).toHaveBeenCalledWith(accepted);
  });

  it("lets the buyer withdraw and shows a rejection", async () => {
    runOfferAction.mockRejectedValue(
      Object.assign(new Error("Request failed with status code 409"), {
        userMessage: "Cannot withdraw offer 12 because it is purchased.",
      }),
    );
    const onChange = renderOffer(OFFER, "buying");

    await userEvent.click(screen.getByRole("button", { name: "Withdraw the offer on Galaxy S21" }));

    expect((await screen.findByRole("alert")).textContent).toBe("Cannot withdraw offer 12 because it is purchased.");
    expect(onChange).not.toHaveBeenCalled();
  });

  it("tells the buyer to check out an accepted offer", () => {
    renderOffer(
      { ...OFFER, status: "accepted", accepted_amount: "400000.00", hold_expires_at: "2026-12-06T12:00:00Z" },
      "buying",
    );
    expect(screen.getByRole("link", { name: "Add it to your cart and check out" }).getAttribute("href")).toBe(
      "/listings/41",
    );
    expect(screen.getByText(/^Agreed at ₩400,000; held until/)).toBeTruthy();
  });

  it("checks a counter-offer before sending", async () => {
    renderOffer(OFFER, "selling");

    await userEvent.click(screen.getByRole("button", { name: "Counter the offer on Galaxy S21" }));
    await userEvent.type(screen.getByLabelText("Counter-offer (KRW)"), "460000");
    await userEvent.click(screen.getByRole("button", { name: "Send" }));

    expect(
      screen.getByText(
        "Amount 460000 KRW is above the asking price of 450000 KRW; buy at the asking price instead.",
      ),
    ).toBeTruthy();
    expect(counterOffer).not.toHaveBeenCalled();
  });

  it("sends a counter-offer", async () => {
    const countered = { ...OFFER, status: "countered", counter_amount: "430000.00" };
    counterOffer.mockResolvedValue(countered);
    const onChange = renderOffer(OFFER, "selling");

    await userEvent.click(screen.getByRole("button", { name: "Counter the offer on Galaxy S21" }));
    await userEvent.type(screen.getByLabelText("Counter-offer (KRW)"), "430000");
    await userEvent.click(screen.getByRole("button", { name: "Send" }));

    expect(counterOffer).toHaveBeenCalledWith(12, "430000");
    expect(onChange).toHaveBeenCalledWith(countered);
    expect(screen.queryByLabelText("Counter-offer (KRW)")).toBeNull();
  });

  it("shows the API's counter-offer error at the field", async () => {
    counterOffer.mockRejectedValue(
      Object.assign(new Error("Request failed with status code 400"), {
        userMessage: "amount: Ensure that there are no more than 12 digits in total.",
        fieldErrors: { amount: ["Ensure that there are no more than 12 digits in total."] },
      }),
    );
    renderOffer(OFFER, "selling");

    await userEvent.click(screen.getByRole("button", { name: "Counter the offer on Galaxy S21" }));
    await userEvent.type(screen.getByLabelText("Counter-offer (KRW)"), "1000");
    await userEvent.click(screen.getByRole("button", { name: "Send" }));

    expect(await screen.findByText("Ensure that there are no more than 12 digits in total.")).toBeTruthy();
    expect(screen.getByLabelText("Counter-offer (KRW)").getAttribute("aria-invalid")).toBe("true");
  });
});
