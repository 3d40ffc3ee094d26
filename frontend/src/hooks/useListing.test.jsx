import { render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { fetchListing } from "../api/listings";
import { ListingNotReady, useListing } from "./useListing";

// The listings API is the network boundary of this unit.
vi.mock("../api/listings", () => ({ fetchListing: vi.fn() }));

function Probe({ id, onLoad }) {
  const [state] = useListing(id, onLoad);
  if (state.status !== "ready") {
    return <ListingNotReady state={state} />;
  }
  return <h1>{state.listing.title}</h1>;
}

function renderProbe(props) {
  return render(
    <MemoryRouter>
      <Probe {...props} />
    </MemoryRouter>,
  );
}

describe("useListing", () => {
  beforeEach(() => {
    fetchListing.mockReset();
  });

  it("loads the listing and runs onLoad first", async () => {
    fetchListing.mockResolvedValue({ id: 5, title: "맥북 프로" });
    const onLoad = vi.fn();
    renderProbe({ id: "5", onLoad });

    expect(screen.getByRole("status")).toBeTruthy();
    expect(await screen.findByRole("heading", { name: "맥북 프로" })).toBeTruthy();
    expect(onLoad.mock.calls).toEqual([[{ id: 5, title: "맥북 프로" }]]);
    expect(fetchListing.mock.calls[0][0]).toBe("5");
  });

  it("shows the error of a failed request", async () => {
    fetchListing.mockRejectedValue(
      Object.assign(new Error("Not Found"), { userMessage: "Listing 5 was not found." }),
    );
    renderProbe({ id: "5" });

    expect((await screen.findByRole("alert")).textContent).toContain("Listing 5 was not found.");
    expect(screen.getByRole("link", { name: "Back to the feed" }).getAttribute("href")).toBe("/");
  });

  it("aborts the earlier request when the id changes", async () => {
    fetchListing.mockReturnValueOnce(new Promise(() => {}));
    fetchListing.mockResolvedValueOnce({ id: 6, title: "아이패드" });
    const { rerender } = renderProbe({ id: "5" });
    const firstSignal = fetchListing.mock.calls[0][1].signal;

    rerender(
      <MemoryRouter>
        <Probe id="6" />
      </MemoryRouter>,
    );

    expect(await screen.findByRole("heading", { name: "아이패드" })).toBeTruthy();
    expect(firstSignal.aborted).toBe(true);
  });
});
