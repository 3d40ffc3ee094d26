import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { runListingAction } from "../api/listings";
import { SellerActions } from "./SellerActions";

// The listings API is the network boundary of this unit.
vi.mock("../api/listings", () => ({ runListingAction: vi.fn() }));

const NOW = new Date("2026-12-04T12:00:00Z");
const ACTIVE = {
  id: 61,
  status: "active",
  next_bump_at: "2026-12-04T11:00:00Z",
};

function renderActions(listing, onChange = vi.fn()) {
  render(<SellerActions listing={listing} onChange={onChange} now={() => NOW} />);
  return onChange;
}

describe("SellerActions", () => {
  beforeEach(() => {
    runListingAction.mockReset();
  });

  it.each([
    ["active", ["Bump to the top", "Hide", "Mark as sold"]],
    ["reserved", ["Cancel the reservation", "Mark as sold"]],
    ["hidden", ["Show again"]],
  ])("offers the actions of a %s listing", (status, labels) => {
    renderActions({ ...ACTIVE, status });
    expect(screen.getAllByRole("button").map((button) => button.textContent)).toEqual(labels);
  });

  it("renders nothing for a sold listing", () => {
    renderActions({ ...ACTIVE, status: "sold" });
    expect(screen.queryByRole("region")).toBeNull();
  });

  it("disables bump until the next bump time", () => {
    renderActions({ ...ACTIVE, next_bump_at: "2026-12-05T10:00:00Z" });
    expect(screen.getByRole("button", { name: "Bump to the top" }).disabled).toBe(true);
    expect(screen.getByText(/You can bump it again after/)).toBeTruthy();
  });

  it("passes the changed listing on", async () => {
    runListingAction.mockResolvedValue({ ...ACTIVE, status: "hidden" });
    const onChange = renderActions(ACTIVE);

    await userEvent.click(screen.getByRole("button", { name: "Hide" }));

    expect(runListingAction).toHaveBeenCalledWith(61, "hide");
    expect(onChange).toHaveBeenCalledWith({ ...ACTIVE, status: "hidden" });
  });

  it("shows the API's message when an action is rejected", async () => {
    runListingAction.mockRejectedValue(
      Object.assign(new Error("Request failed with status code 409"), {
        userMessage: "Cannot hide listing 61 while it is reserved.",
      }),
    );
    const onChange = renderActions(ACTIVE);

    await userEvent.click(screen.getByRole("button", { name: "Hide" }));

    expect((await screen.findByRole("alert")).textContent).toBe(
      "Cannot hide listing 61 while it is reserved.",
    );
    expect(onChange).not.toHaveBeenCalled();
  });

  it("asks before marking a listing sold", async () => {
    const confirm = vi.spyOn(window, "confirm").mockReturnValue(false);
    renderActions(ACTIVE);

    await userEvent.click(screen.getByRole("button", { name: "Mark as sold" }));

    expect(confirm).toHaveBeenCalledTimes(1);
    expect(runListingAction).not.toHaveBeenCalled();
    confirm.mockRestore();
  });
});
