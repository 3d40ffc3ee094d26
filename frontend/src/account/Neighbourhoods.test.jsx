import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { addNeighbourhood, confirmNeighbourhood, removeNeighbourhood, searchNeighbourhoods } from "../api/account";
import { describeConfirmation, Neighbourhoods } from "./Neighbourhoods";

// The accounts API is the network boundary of this unit.
vi.mock("../api/account", () => ({
  addNeighbourhood: vi.fn(),
  confirmNeighbourhood: vi.fn(),
  removeNeighbourhood: vi.fn(),
  searchNeighbourhoods: vi.fn(),
}));

const MANGWON = { id: 2, name: "망원동 Mangwon-dong" };
const SEOGYO = { id: 3, name: "서교동 Seogyo-dong" };

function membership(neighbourhood, confirmed = false) {
  return {
    neighbourhood,
    confirmed_at: confirmed ? "2026-12-01T10:00:00Z" : null,
    is_confirmed: confirmed,
    confirmation_expires_at: confirmed ? "2026-12-31T10:00:00Z" : null,
  };
}

function Harness({ initial, locate }) {
  const [memberships, setMemberships] = useState(initial);
  return <Neighbourhoods memberships={memberships} onChange={setMemberships} locate={locate} />;
}

describe("Neighbourhoods", () => {
  beforeEach(() => {
    for (const mock of [addNeighbourhood, confirmNeighbourhood, removeNeighbourhood, searchNeighbourhoods]) {
      mock.mockReset();
    }
  });

  it("finds and adds a neighbourhood", async () => {
    const user = userEvent.setup();
    searchNeighbourhoods.mockResolvedValue([MANGWON]);
    addNeighbourhood.mockResolvedValue(membership(MANGWON));
    render(<Harness initial={[]} />);

    await user.type(screen.getByLabelText("Neighbourhood name"), "망원");
    await user.click(screen.getByRole("button", { name: "Find" }));
    await user.click(await screen.findByRole("button", { name: "Add 망원동 Mangwon-dong" }));

    expect(searchNeighbourhoods).toHaveBeenCalledWith("망원");
    expect(addNeighbourhood).toHaveBeenCalledWith(2);
    expect(await screen.findByText("Not confirmed yet")).toBeTruthy();
  });

  it("offers no add form at two neighbourhoods", () => {
    render(<Harness initial={[membership(MANGWON), membership(SEOGYO)]} />);

    expect(screen.queryByLabelText("Neighbourhood name")).toBeNull();
    expect(screen.getByText("You have the maximum of 2; remove one to add another.")).toBeTruthy();
  });

  it("confirms with the browser's position", async () => {
    const user = userEvent.setup();
    const locate = vi.fn().mockResolvedValue({ latitude: 37.556, longitude: 126.902 });
    confirmNeighbourhood.mockResolvedValue(membership(MANGWON, true));
    render(<Harness initial={[membership(MANGWON)]} locate={locate} />);

    await user.click(screen.getByRole("button", { name: "Confirm with my location (망원동 Mangwon-dong)" }));

    expect(await screen.findByText("망원동 Mangwon-dong is confirmed.")).toBeTruthy();
    expect(confirmNeighbourhood).toHaveBeenCalledWith(2, { latitude: 37.556, longitude: 126.902 });
  });

  it("shows the server's message when the position is too far", async () => {
    const user = userEvent.setup();
    const message = "Your location is 8.2 km from the centre of '망원동 Mangwon-dong'; it must be within 6 km.";
    confirmNeighbourhood.mockRejectedValue(Object.assign(new Error("400"), { userMessage: message }));
    render(<Harness initial={[membership(MANGWON)]} locate={vi.fn().mockResolvedValue({ latitude: 37.5, longitude: 127 })} />);

    await user.click(screen.getByRole("button", { name: "Confirm with my location (망원동 Mangwon-dong)" }));

    expect((await screen.findByRole("alert")).textContent).toBe(message);
    expect(screen.getByText("Not confirmed yet")).toBeTruthy();
  });

  it("shows a denied location without calling the server", async () => {
    const user = userEvent.setup();
    const denied = Object.assign(new Error("denied"), { userMessage: "Location access was denied." });
    render(<Harness initial={[membership(MANGWON)]} locate={vi.fn().mockRejectedValue(denied)} />);

    await user.click(screen.getByRole("button", { name: "Confirm with my location (망원동 Mangwon-dong)" }));

    expect((await screen.findByRole("alert")).textContent).toBe("Location access was denied.");
    expect(confirmNeighbourhood).not.toHaveBeenCalled();
  });

  it("removes a neighbourhood", async () => {
    const user = userEvent.setup();
    removeNeighbourhood.mockResolvedValue(undefined);
    render(<Harness initial={[membership(MANGWON), membership(SEOGYO)]} />);

    await user.click(screen.getByRole("button", { name: "Remove 서교동 Seogyo-dong" }));

    expect(await screen.findByText("서교동 Seogyo-dong is removed.")).toBeTruthy();
    expect(removeNeighbourhood).toHaveBeenCalledWith(3);
    expect(screen.queryByRole("button", { name: "Remove 서교동 Seogyo-dong" })).toBeNull();
    expect(screen.getByLabelText("Neighbourhood name")).toBeTruthy();
  });
});

describe("describeConfirmation", () => {
  it("tells an expired confirmation from a missing one", () => {
    expect(describeConfirmation({ ...membership(MANGWON, true), is_confirmed: false })).toBe(
      "Confirmation expired; confirm it again",
    );
    expect(describeConfirmation(membership(MANGWON))).toBe("Not confirmed yet");
  });
});
