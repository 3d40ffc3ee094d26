import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { searchCatalog } from "../api/catalog";
import { SellForm } from "./SellForm";

// The catalog API is the network boundary of this unit; the end-to-end run
// exercises the real one.
vi.mock("../api/catalog", () => ({ searchCatalog: vi.fn() }));

const CATALOG_LABEL = "Find the product in the catalog (optional)";

const HEADPHONES = {
  parent_asin: "B0863TXGM3",
  title: "Sony WH-1000XM4 Wireless Headphones",
  category: 7,
  category_path: "Electronics > Headphones",
  catalog_price: "348.00",
  suggested_price: "208.80",
  suggested_currency: "USD",
};

async function fillValidForm(user) {
  await user.type(screen.getByLabelText("Title"), "맥북 프로 팝니다");
  await user.type(screen.getByLabelText("Price"), "1200000");
  await user.selectOptions(screen.getByLabelText("Currency"), "KRW");
  await user.selectOptions(screen.getByLabelText("Condition"), "like_new");
}

describe("SellForm", () => {
  beforeEach(() => {
    searchCatalog.mockReset();
  });

  it("shows every field error and sends nothing when empty", async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn();
    render(<SellForm onSubmit={onSubmit} />);

    await user.click(screen.getByRole("button", { name: "List the item" }));

    expect(screen.getByText("Title is blank; enter 1 to 200 characters.")).toBeTruthy();
    expect(
      screen.getByText("Price is missing; enter an amount such as 10 (0 to give it away)."),
    ).toBeTruthy();
    expect(screen.getByText("Condition is missing; choose how worn the item is.")).toBeTruthy();
    expect(screen.getByLabelText("Title").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByLabelText("Title").getAttribute("aria-describedby")).toBe("title-error");
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("rejects decimals in a won price before sending", async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn();
    render(<SellForm onSubmit={onSubmit} />);
    await fillValidForm(user);
    await user.clear(screen.getByLabelText("Price"));
    await user.type(screen.getByLabelText("Price"), "1500.5");

    await user.click(screen.getByRole("button", { name: "List the item" }));

    expect(
      screen.getByText("Price 1500.5 KRW has 1 decimal place; KRW prices are whole numbers."),
    ).toBeTruthy();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("sends the body of a valid form", async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn().mockResolvedValue(undefined);
    render(<SellForm onSubmit={onSubmit} />);
    await fillValidForm(user);

    await user.click(screen.getByRole("button", { name: "List the item" }));

    expect(onSubmit).toHaveBeenCalledTimes(1);
    expect(onSubmit.mock.calls[0][0]).toEqual({
      title: "맥북 프로 팝니다",
      description: "",
      price: "1200000",
      currency: "KRW",
      condition: "like_new",
    });
  });

  it("shows the server's field errors next to the fields", async () => {
    const user = userEvent.setup();
    const rejection = Object.assign(new Error("Request failed with status code 400"), {
      userMessage: "price: Price 1200000 KRW is above the maximum.",
      fieldErrors: { price: ["Price 1200000 KRW is above the maximum."] },
    });
    render(<SellForm onSubmit={vi.fn().mockRejectedValue(rejection)} />);
    await fillValidForm(user);

    await user.click(screen.getByRole("button", { name: "List the item" }));

    expect(await screen.findByRole("alert")).toBeTruthy();
    expect(screen.getByRole("alert").textContent).toBe(
      "price: Price 1200000 KRW is above the maximum.",
    );
    expect(document.getElementById("price-error").textContent).toBe(
      "Price 1200000 KRW is above the maximum.",
    );
    expect(screen.getByRole("button", { name: "List the item" }).disabled).toBe(false);
  });

  it("prefills title, category and suggested price from the catalog", async () => {
    const user = userEvent.setup();
    searchCatalog.mockResolvedValue([HEADPHONES]);
    const onSubmit = vi.fn().mockResolvedValue(undefined);
    render(<SellForm onSubmit={onSubmit} />);

    await user.type(screen.getByLabelText(CATALOG_LABEL), "sony xm4");
    const option = await screen.findByRole("option", { name: /Sony WH-1000XM4/ });
    await user.click(option);

    expect(searchCatalog).toHaveBeenLastCalledWith("sony xm4", expect.anything());
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(searchCatalog).toHaveBeenCalledTimes(1);
    expect(screen.getByLabelText("Title").value).toBe(HEADPHONES.title);
    expect(screen.getByLabelText("Price").value).toBe("208.80");
    expect(screen.getByLabelText("Currency").value).toBe("USD");
    expect(screen.getByText("Category: Electronics > Headphones")).toBeTruthy();

    await user.selectOptions(screen.getByLabelText("Condition"), "good");
    await user.click(screen.getByRole("button", { name: "List the item" }));
    expect(onSubmit.mock.calls[0][0]).toEqual({
      title: HEADPHONES.title,
      description: "",
      price: "208.80",
      currency: "USD",
      condition: "good",
      category: 7,
      parent_asin: "B0863TXGM3",
    });
  });

  it("chooses a catalog product with the keyboard", async () => {
    const user = userEvent.setup();
    searchCatalog.mockResolvedValue([HEADPHONES, { ...HEADPHONES, parent_asin: "B2", title: "Sony XM5" }]);
    render(<SellForm onSubmit={vi.fn()} />);

    await user.type(screen.getByLabelText(CATALOG_LABEL), "sony");
    await screen.findByRole("option", { name: /^Sony XM5/ });
    await user.keyboard("{ArrowDown}{ArrowDown}");

    expect(screen.getByLabelText(CATALOG_LABEL).getAttribute("aria-activedescendant")).toBe(
      screen.getByRole("option", { name: /^Sony XM5/ }).id,
    );
    await user.keyboard("{Enter}");

    expect(screen.getByLabelText("Title").value).toBe("Sony XM5");
  });

  it("does not search the catalog for one character", async () => {
    const user = userEvent.setup();
    render(<SellForm onSubmit={vi.fn()} />);

    await user.type(screen.getByLabelText(CATALOG_LABEL), "s");
    await new Promise((resolve) => setTimeout(resolve, 400));

    expect(searchCatalog).not.toHaveBeenCalled();
  });

  it("reports a failed catalog search", async () => {
    const user = userEvent.setup();
    searchCatalog.mockRejectedValue(
      Object.assign(new Error("Network Error"), {
        userMessage: "The server could not be reached. Check your connection and try again.",
      }),
    );
    render(<SellForm onSubmit={vi.fn()} />);

    await user.type(screen.getByLabelText(CATALOG_LABEL), "sony");

    await waitFor(() =>
      expect(
        screen.getByText("The server could not be reached. Check your connection and try again."),
      ).toBeTruthy(),
    );
  });
});
