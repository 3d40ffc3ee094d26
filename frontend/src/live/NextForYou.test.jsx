import { render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { AuthProvider } from "../auth/AuthContext";
import { NextForYou } from "./NextForYou";
import { CONNECTION, useSessionSocket } from "./useSessionSocket";

// The socket hook has tests of its own; here it is the unit's boundary.
vi.mock(import("./useSessionSocket"), async (importOriginal) => ({
  ...(await importOriginal()),
  useSessionSocket: vi.fn(),
}));

function listing(id, title) {
  return { id, title, price: "30000.00", currency: "KRW", condition: "good", image_url: "" };
}

function socketState(changes) {
  return { connection: CONNECTION.OPEN, suggestions: [], source: null, fallbackError: null, ...changes };
}

function renderStrip({ user = null, listingId = 61 } = {}) {
  return render(
    <AuthProvider initialUser={user}>
      <MemoryRouter>
        <NextForYou listingId={listingId} />
      </MemoryRouter>
    </AuthProvider>,
  );
}

describe("NextForYou", () => {
  beforeEach(() => {
    useSessionSocket.mockReset();
  });

  it("shows the suggested listings as linked cards", () => {
    useSessionSocket.mockReturnValue(
      socketState({ suggestions: [listing(62, "노트북 거치대"), listing(63, "USB-C 허브")] }),
    );
    renderStrip();

    const strip = screen.getByRole("region", { name: "Next for you" });
    const links = strip.querySelectorAll("a");
    expect([...links].map((link) => link.getAttribute("href"))).toEqual([
      "/listings/62",
      "/listings/63",
    ]);
    expect(screen.getByText("노트북 거치대")).toBeTruthy();
    expect(screen.getAllByText("₩30,000")).toHaveLength(2);
    expect(screen.getByRole("status").textContent).toBe("");
  });

  it("passes the listing and the signed-in user to the socket", () => {
    useSessionSocket.mockReturnValue(socketState());
    renderStrip({ user: { username: "e2e-buyer" }, listingId: 61 });

    expect(useSessionSocket).toHaveBeenLastCalledWith({ listingId: 61, identity: "e2e-buyer" });
  });

  it("uses a null identity for anonymous visitors", () => {
    useSessionSocket.mockReturnValue(socketState());
    renderStrip({ user: null });

    expect(useSessionSocket).toHaveBeenLastCalledWith({ listingId: 61, identity: null });
  });

  it("renders nothing before the first suggestions", () => {
    useSessionSocket.mockReturnValue(socketState({ connection: CONNECTION.CONNECTING }));
    const { container } = renderStrip();

    expect(container.innerHTML).toBe("");
  });

  it("renders nothing while reconnecting with nothing to show", () => {
    useSessionSocket.mockReturnValue(socketState({ connection: CONNECTION.RECONNECTING }));
    const { container } = renderStrip();

    expect(container.innerHTML).toBe("");
  });

  it("leaves out the listing on the page", () => {
    useSessionSocket.mockReturnValue(
      socketState({ suggestions: [listing(61, "this one"), listing(62, "next one")] }),
    );
    renderStrip({ listingId: "61" });

    expect(screen.queryByText("this one")).toBeNull();
    expect(screen.getByText("next one")).toBeTruthy();
  });

  it("shows a quiet notice while reconnecting", () => {
    useSessionSocket.mockReturnValue(
      socketState({ connection: CONNECTION.RECONNECTING, suggestions: [listing(62, "next one")] }),
    );
    renderStrip();

    expect(screen.getByRole("status").textContent).toBe("Reconnecting…");
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.getByText("next one")).toBeTruthy();
  });

  it("shows the message of a failed HTTP poll", () => {
    useSessionSocket.mockReturnValue(
      socketState({
        connection: CONNECTION.RECONNECTING,
        fallbackError: "The server could not be reached. Check your connection and try again.",
      }),
    );
    renderStrip();

    expect(
      screen.getByText("The server could not be reached. Check your connection and try again."),
    ).toBeTruthy();
    expect(screen.getByRole("status").textContent).toBe("Reconnecting…");
  });
});
