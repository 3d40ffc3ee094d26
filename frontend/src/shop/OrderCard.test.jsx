import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router-dom";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { rateOrder, runOrderAction } from "../api/shop";
import { OrderCard } from "./OrderCard";
import { validateRating } from "./RatingForm";

// The shop API is the network boundary of this unit.
vi.mock("../api/shop", () => ({ rateOrder: vi.fn(), runOrderAction: vi.fn() }));

const ORDER = {
  id: 7,
  buyer: "buyer",
  seller: "minji",
  status: "arranged",
  created_at: "2026-12-04T12:00:00Z",
  items: [
    { listing: 41, title: "Sony 50mm lens", price: "300000.00", currency: "KRW", offer: null, is_active: true },
    { listing: 42, title: "Sony a6400", price: "650000.00", currency: "KRW", offer: 3, is_active: true },
  ],
  ratings: [],
};

function renderOrder(order, role = "buying", onChange = vi.fn()) {
  render(
    <MemoryRouter>
      <ul>
        <OrderCard order={order} role={role} onChange={onChange} />
      </ul>
    </MemoryRouter>,
  );
  return onChange;
}

function rejection(userMessage, fieldErrors = {}) {
  return Object.assign(new Error("Request failed"), { userMessage, fieldErrors });
}

describe("validateRating", () => {
  it("accepts a score with a few tags", () => {
    expect(validateRating({ score: 5, tags: ["punctual"], comment: "" })).toEqual({});
  });

  it("names each broken rule", () => {
    expect(
      validateRating({ score: null, tags: ["a", "b", "c", "d", "e", "f"], comment: "x".repeat(501) }),
    ).toEqual({
      score: "Score is missing; choose a whole number from 1 to 5.",
      tags: "6 tags were chosen; the maximum is 5.",
      comment: "Comment has 501 characters; the maximum is 500.",
    });
  });
});

describe("OrderCard", () => {
  beforeEach(() => {
    rateOrder.mockReset();
    runOrderAction.mockReset();
  });

  it("shows the items and their total", () => {
    renderOrder(ORDER);
    expect(screen.getByRole("heading", { name: "Order 7 from minji" })).toBeTruthy();
    expect(screen.getByText(/^Total:/).textContent).toBe("Total: ₩950,000");
    expect(screen.getByText("(agreed offer)")).toBeTruthy();
    expect(screen.getByText("Ratings open once the order is completed.")).toBeTruthy();
  });

  it("names the buyer to the seller", () => {
    renderOrder(ORDER, "selling");
    expect(screen.getByRole("heading", { name: "Order 7 to buyer" })).toBeTruthy();
  });

  it("completes an arranged order", async () => {
    runOrderAction.mockResolvedValue({ ...ORDER, status: "completed" });
    const onChange = renderOrder(ORDER);

    await userEvent.click(screen.getByRole("button", { name: "Mark as completed" }));

    expect(runOrderAction).toHaveBeenCalledWith(7, "complete");
    expect(onChange).toHaveBeenCalledWith({ ...ORDER, status: "completed" });
  });

  it("shows why an action was rejected", async () => {
    runOrderAction.mockRejectedValue(
      rejection("Cannot complete order 7 because it is cancelled; only an arranged order can change."),
    );
    renderOrder(ORDER);

    await userEvent.click(screen.getByRole("button", { name: "Mark as completed" }));

    expect((await screen.findByRole("alert")).textContent).toBe(
      "Cannot complete order 7 because it is cancelled; only an arranged order can change.",
    );
  });

  it("rates a completed order once", async () => {
    const rating = { id: 1, rater: "buyer", score: 5, tags: ["punctual"], comment: "Thanks!" };
    rateOrder.mockResolvedValue(rating);
    const completed = { ...ORDER, status: "completed" };
    const onChange = renderOrder(completed);

    expect(screen.getByText(/^Rate minji once for this order/)).toBeTruthy();
    await userEvent.click(screen.getByRole("radio", { name: "5" }));
    await userEvent.click(screen.getByRole("checkbox", { name: "On time" }));
    await userEvent.type(screen.getByLabelText("Comment (optional)"), "Thanks!");
    await userEvent.click(screen.getByRole("button", { name: "Rate minji" }));

    expect(rateOrder).toHaveBeenCalledWith(7, { score: 5, tags: ["punctual"], comment: "Thanks!" });
    expect(onChange).toHaveBeenCalledWith({ ...completed, ratings: [rating] });
  });

  it("asks for a score before sending", async () => {
    renderOrder({ ...ORDER, status: "completed" });

    await userEvent.click(screen.getByRole("button", { name: "Rate minji" }));

    expect(screen.getByText("Score is missing; choose a whole number from 1 to 5.")).toBeTruthy();
    expect(rateOrder).not.toHaveBeenCalled();
  });

  it("shows the API's rating rule", async () => {
    rateOrder.mockRejectedValue(rejection("You already rated order 7; each party rates once."));
    renderOrder({ ...ORDER, status: "completed" });

    await userEvent.click(screen.getByRole("radio", { name: "4" }));
    await userEvent.click(screen.getByRole("button", { name: "Rate minji" }));

    expect((await screen.findByRole("alert")).textContent).toBe("You already rated order 7; each party rates once.");
  });

  it("shows both ratings and no form once rated", () => {
    renderOrder({
      ...ORDER,
      status: "completed",
      ratings: [
        { id: 2, rater: "minji", score: 4, tags: ["friendly"], comment: "" },
        { id: 1, rater: "buyer", score: 5, tags: [], comment: "" },
      ],
    });
    expect(screen.getByText("minji rated you 4 of 5 (Friendly)")).toBeTruthy();
    expect(screen.getByText("You rated minji 5 of 5.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Rate minji" })).toBeNull();
  });
});
