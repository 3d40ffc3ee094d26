// End-to-end steps of the shopping pages. The buyer favorites the
// seller's listing, makes an offer, puts the listing in the cart and
// checks out. Then the seller, in a browser context of their own, finds
// the order on the orders page, completes it and rates the buyer. The
// listing is sold afterwards.
import assert from "node:assert/strict";

// The seller changed the asking price on the edit page before these steps.
import { EDITED_PRICE, EDITED_PRICE_TEXT } from "./account.mjs";

/**
 * Runs the buyer's and then the seller's steps. `buyer` is the buyer's
 * signed-in `{page, problems}`, and `tools` contains journey.mjs's helpers
 * (`openContext`, `signIn`, `checkAccessibility`) and `baseUrl`.
 */
export async function buyAndSell({ browser, buyer, listingPath, title, tools }) {
  const orderId = await buyListing(buyer.page, { listingPath, title, tools });
  assert.deepEqual(buyer.problems, []);

  const seller = await tools.openContext(browser);
  await tools.signIn(seller.page, "e2e-seller");
  await findSale(seller.page, { orderId, title, tools });
  assert.deepEqual(seller.problems, []);
  await seller.context.close();
}

async function buyListing(page, { listingPath, title, tools }) {
  const { baseUrl, checkAccessibility } = tools;
  await page.goto(`${baseUrl}${listingPath}`);
  await page.getByRole("heading", { level: 1, name: title }).waitFor();
  const actions = page.getByRole("region", { name: "Buy" });
  await actions.getByText("0 people have favorited this listing.").waitFor();

  await actions.getByRole("button", { name: "☆ Favorite" }).click();
  await actions.getByRole("button", { name: "★ Favorited" }).waitFor();
  await actions.getByText("1 person has favorited this listing.").waitFor();
  assert.equal(
    await actions.getByRole("button", { name: "★ Favorited" }).getAttribute("aria-pressed"),
    "true",
  );

  // Won amounts have no decimals, and an offer is at most the asking
  // price. The form shows the API's message for each before sending.
  const amount = actions.getByLabel("Your offer (KRW)");
  await amount.fill("1100000.5");
  await actions.getByRole("button", { name: "Make an offer" }).click();
  await actions
    .getByText("Amount 1100000.5 KRW has 1 decimal place; KRW prices are whole numbers.")
    .waitFor();
  await amount.fill("1300000");
  await actions.getByRole("button", { name: "Make an offer" }).click();
  await actions
    .getByText(
      `Amount 1300000 KRW is above the asking price of ${EDITED_PRICE} KRW; buy at the asking price instead.`,
    )
    .waitFor();
  await amount.fill("1100000");
  await actions.getByRole("button", { name: "Make an offer" }).click();
  await actions.getByText(/Your offer of ₩1,100,000: waiting for the seller\./).waitFor();

  await actions.getByRole("button", { name: "Add to cart" }).click();
  await page.getByRole("link", { name: "Cart 1 item" }).waitFor();
  await actions.getByRole("link", { name: "In your cart: view the cart" }).click();

  await page.waitForURL(`${baseUrl}/app/cart`);
  const group = page.getByRole("region", { name: "From e2e-seller" });
  await group.getByRole("link", { name: title }).waitFor();
  await page.getByText(`To pay in person: ₩${EDITED_PRICE_TEXT}`).waitFor();
  assert.equal(await page.title(), "Cart · Marketplace");
  await checkAccessibility(page, "the cart");
  await checkNarrowAndDark(page, "the cart", tools);

  await page.getByRole("button", { name: "Check out" }).click();
  const outcome = page.locator(".success-box");
  await outcome.getByText(/^1 order arranged with e2e-seller\./).waitFor();
  await page.getByText("Your cart is empty.", { exact: false }).waitFor();
  await page.getByRole("link", { name: "Cart", exact: true }).waitFor();

  await outcome.getByRole("link", { name: "See your orders" }).click();
  await page.waitForURL(`${baseUrl}/app/orders`);
  const purchases = page.getByRole("region", { name: "Your purchases" });
  const heading = purchases.getByRole("heading", { name: /^Order \d+ from e2e-seller$/ });
  await heading.waitFor();
  const orderId = (await heading.textContent()).match(/^Order (\d+)/)[1];
  // Earlier steps may have bought other listings, so the checks look only
  // at this order's card.
  const card = purchases
    .locator(".order-card")
    .filter({ has: page.getByRole("heading", { name: `Order ${orderId} from e2e-seller` }) });
  await card.getByRole("link", { name: title }).waitFor();
  await card.getByText(/^Arranged: meet to hand over and pay/).waitFor();
  await page.getByRole("region", { name: "Your sales" }).getByText("Nobody has ordered your listings yet.").waitFor();
  await checkAccessibility(page, "the buyer's orders");

  // The checkout declined the buyer's pending offer on the sold listing.
  await page.getByRole("link", { name: "Offers", exact: true }).click();
  const made = page.getByRole("region", { name: "Offers you made" });
  await made.getByText("Status: declined", { exact: false }).waitFor();
  await checkAccessibility(page, "the offers");

  // The favorite outlives the sale, marked sold.
  await page.getByRole("link", { name: "Favorites", exact: true }).click();
  const favorite = page.getByRole("listitem").filter({ has: page.getByRole("link", { name: title }) });
  await favorite.getByText("e2e-seller · sold").waitFor();
  await checkAccessibility(page, "the favorites");
  return orderId;
}

async function findSale(page, { orderId, title, tools }) {
  const { baseUrl, checkAccessibility } = tools;
  // The offer and the order each sent the seller a notification.
  await page.getByRole("link", { name: "Notifications 2 unread" }).waitFor();

  await page.goto(`${baseUrl}/app/orders`);
  const sales = page.getByRole("region", { name: "Your sales" });
  await sales.getByRole("heading", { name: `Order ${orderId} to e2e-buyer` }).waitFor();
  await sales.getByRole("link", { name: title }).waitFor();
  await sales.getByText(`₩${EDITED_PRICE_TEXT}`, { exact: true }).first().waitFor();
  await checkAccessibility(page, "the seller's orders");
  await checkNarrowAndDark(page, "the seller's orders", tools);

  await page.getByRole("link", { name: "Notifications 2 unread" }).click();
  const placed = page.getByRole("link", { name: `e2e-buyer ordered 1 of your listings (order ${orderId}).` });
  await placed.waitFor();
  await page.getByRole("button", { name: `Mark as read: e2e-buyer ordered 1 of your listings (order ${orderId}).` }).click();
  await page.getByRole("link", { name: "Notifications 1 unread" }).waitFor();
  await checkAccessibility(page, "the notifications");

  // After the hand-over the seller completes the order and rates the buyer.
  await page.getByRole("link", { name: "Orders", exact: true }).click();
  const order = page.getByRole("listitem").filter({
    has: page.getByRole("heading", { name: `Order ${orderId} to e2e-buyer` }),
  });
  await order.getByRole("button", { name: "Mark as completed" }).click();
  await order.getByText(/^Completed · placed/).waitFor();
  await order.getByText(/^Rate e2e-buyer once for this order/).waitFor();
  await checkAccessibility(page, "the rating form");
  await order.getByRole("radio", { name: "5" }).check();
  await order.getByRole("checkbox", { name: "On time" }).check();
  await order.getByRole("button", { name: "Rate e2e-buyer" }).click();
  await order.getByText("You rated e2e-buyer 5 of 5.").waitFor();
}

/**
 * Checks the page at a phone's width in the dark theme: nothing scrolls
 * sideways and axe-core finds no violation (contrast included).
 */
async function checkNarrowAndDark(page, label, { checkAccessibility }) {
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: 360, height: 780 });
  await page.emulateMedia({ colorScheme: "dark" });
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  assert.equal(overflow, 0, `${label} scrolls sideways at 360 px`);
  await checkAccessibility(page, `${label} (dark, 360 px)`);
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize(viewport);
}
