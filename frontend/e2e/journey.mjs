// Browser journey against a server that run.sh started. A seller signs up,
// confirms the address from the mail, sets up the profile, lists an item
// titled in Korean with photos and edits its price, and a buyer finds it by
// a Korean search and opens it. The home and listing pages are then captured in
// light and dark at phone and desktop widths.
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";

import { chromium } from "playwright-core";

import {
  choosePhotos,
  confirmEmail,
  deleteAListing,
  editListing,
  EDITED_PRICE_TEXT,
  manageProfile,
  resetPassword,
  SELLER_LOCATION,
  signUp,
  writeTestImages,
} from "./account.mjs";
import { checkLiveSuggestions } from "./live.mjs";
import { buyAndSell } from "./shop.mjs";

const BASE_URL = requireEnv("BASE_URL");
const PASSWORD = requireEnv("E2E_PASSWORD");
const DEMO_BUYER = requireEnv("DEMO_BUYER");
const SCREENSHOT_DIR = requireEnv("SCREENSHOT_DIR");
const MAIL_DIR = requireEnv("MAIL_DIR");
const IMAGE_DIR = requireEnv("IMAGE_DIR");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const TITLE = "맥북 프로 팝니다";
const DESCRIPTION = "2021년형 14인치, 배터리 사이클 120회. 직거래 선호합니다.";
const SERVER_ORIGIN = new URL(BASE_URL).origin;
const AXE_SCRIPT = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
// axe-core rule tags: WCAG 2.0 and 2.1, levels A and AA.
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
// How long the worker may take to train the model and embed the listings.
const PERSONALIZED_FEED_TIMEOUT_MS = 180_000;

function requireEnv(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`The environment variable ${name} is not set; run this through run.sh.`);
  }
  return value;
}

function step(text) {
  console.log(`-- ${text}`);
}

/**
 * Opens a browser context that reaches only the server under test: requests
 * to any other origin (catalog images on a CDN, for example) are aborted.
 */
async function openContext(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.origin === SERVER_ORIGIN || url.protocol === "data:") {
      return route.continue();
    }
    return route.abort("blockedbyclient");
  });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    const text = message.text();
    // Aborted CDN images are expected, but any other logged error is not.
    if (message.type() === "error" && !text.includes("net::ERR_BLOCKED_BY_CLIENT")) {
      problems.push(`console error: ${text}`);
    }
  });
  return { context, page, problems };
}

/** Runs axe-core on the page and fails with the rules that it violates. */
async function checkAccessibility(page, label) {
  await page.addScriptTag({ path: AXE_SCRIPT });
  const { passed, violations } = await page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: "tag", values: tags } });
    return {
      passed: result.passes.length,
      violations: result.violations.map((violation) => ({
        rule: violation.id,
        impact: violation.impact,
        targets: violation.nodes.slice(0, 3).map((node) => node.target.join(" ")),
      })),
    };
  }, AXE_TAGS);
  assert.deepEqual(violations, [], `axe-core found violations on ${label}`);
  // A page where no rule applied would pass vacuously.
  assert.ok(passed > 5, `axe-core checked only ${passed} rules on ${label}`);
}

/** Signs in with the keyboard alone and checks the focus order on the way. */
async function signInWithKeyboard(page, username) {
  await page.goto(`${BASE_URL}/app/sign-in`);
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  const stops = [];
  for (let press = 0; press < 12; press += 1) {
    await page.keyboard.press("Tab");
    const name = await page.evaluate(() => {
      const element = document.activeElement;
      return element.getAttribute("aria-label") ?? element.labels?.[0]?.textContent ?? element.textContent;
    });
    stops.push(name.trim());
    if (name === "Username") {
      break;
    }
  }
  assert.deepEqual(stops, [
    "Skip to content",
    "Marketplace",
    "Search",
    "Sell",
    "Sign in",
    "Switch to the dark theme",
    "Username",
  ]);
  await page.keyboard.type(username);
  await page.keyboard.press("Tab");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await page.getByText(username, { exact: true }).waitFor();
}

async function signIn(page, username) {
  await page.goto(`${BASE_URL}/app/sign-in`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByText(username, { exact: true }).waitFor();
}

async function checkWrongPassword({ page, problems }) {
  await page.goto(`${BASE_URL}/app/sign-in`);
  await page.getByLabel("Username").fill("e2e-seller");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  const alert = page.getByRole("alert");
  await alert.waitFor();
  assert.equal(await alert.textContent(), "The username or password is incorrect. Try again.");
  // Chromium logs the expected 400 response as a console error.
  assert.deepEqual(problems, [
    "console error: Failed to load resource: the server responded with a status of 400 (Bad Request)",
  ]);
  problems.length = 0;
}

async function listItem(page, images) {
  await page.goto(`${BASE_URL}/app/sell`);
  await page.getByRole("heading", { name: "Sell an item" }).waitFor();
  assert.equal(await page.title(), "Sell an item · Marketplace");
  await checkAccessibility(page, "the sell form");
  await page.getByLabel("Find the product in the catalog (optional)").fill("laptop stand");
  const option = page.getByRole("option").first();
  await option.waitFor();
  await option.click();
  const prefilled = await page.getByLabel("Title").inputValue();
  assert.ok(prefilled.length > 0, "choosing a catalog product left the title empty");

  await page.getByLabel("Title").fill(TITLE);
  await page.getByLabel("Description").fill(DESCRIPTION);
  await page.getByLabel("Currency").selectOption("KRW");
  await page.getByLabel("Condition").selectOption("like_new");

  // Won prices have no decimals: the form stops this before sending.
  await page.getByLabel("Price").fill("1200000.5");
  await page.getByRole("button", { name: "List the item" }).click();
  await page
    .getByText("Price 1200000.5 KRW has 1 decimal place; KRW prices are whole numbers.")
    .waitFor();
  assert.match(page.url(), /\/app\/sell$/);

  await page.getByLabel("Price").fill("1200000");
  await choosePhotos(page, images);
  await page.getByRole("button", { name: "List the item" }).click();
  await page.waitForURL(/\/app\/listings\/\d+$/);
  await page.getByRole("heading", { level: 1, name: TITLE }).waitFor();
  const listingPath = new URL(page.url()).pathname;
  step(`listed ${listingPath}`);
  return listingPath;
}

/** Hides the new listing and shows it again through the seller's buttons. */
async function hideAndShowAgain(page) {
  const actions = page.getByRole("region", { name: "Manage your listing" });
  // A new listing counts as bumped when it was created.
  assert.equal(await actions.getByRole("button", { name: "Bump to the top" }).isDisabled(), true);
  await actions.getByRole("button", { name: "Hide" }).click();
  await actions.getByRole("button", { name: "Show again" }).waitFor();
  await actions.getByRole("button", { name: "Show again" }).click();
  await actions.getByRole("button", { name: "Hide" }).waitFor();
}

async function findByKoreanSearch(page, listingPath) {
  await page.goto(`${BASE_URL}/app/search`);
  await page.getByLabel("Search words").fill("맥북");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await page.waitForURL(/\/app\/search\?q=/);
  const card = page.getByRole("link", { name: new RegExp(TITLE) });
  await card.first().waitFor();
  assert.equal(await page.title(), "Search: 맥북 · Marketplace");
  await checkAccessibility(page, "the search results");
  await card.first().click();
  await page.waitForURL(`${BASE_URL}${listingPath}`);
  await page.getByRole("heading", { level: 1, name: TITLE }).waitFor();
  const seller = await page.getByRole("region", { name: "Seller" }).textContent();
  assert.match(seller, /e2e-seller/);
  // A new account starts at the neutral trust score.
  assert.match(seller, /Trust 36\.5°C/);
  // The seller changed the price from 1,200,000 after listing.
  assert.match(await page.locator(".price").first().textContent(), new RegExp(EDITED_PRICE_TEXT));

  // The category that the catalog product prefilled links to its listings.
  const categoryLink = page.locator('.facts a[href*="/app/search?category="]');
  const categoryName = (await categoryLink.textContent()).split(" > ").at(-1);
  await categoryLink.click();
  await page.waitForURL(/\/app\/search\?category=\d+/);
  await page.getByText(`In ${categoryName}`, { exact: true }).waitFor();
  await page.getByRole("link", { name: new RegExp(TITLE) }).first().waitFor();
}

async function checkEmptySearch(page) {
  await page.goto(`${BASE_URL}/app/search?q=${encodeURIComponent("존재하지않는상품")}`);
  await page.getByText("No listings match “존재하지않는상품”. Try fewer or other words.").waitFor();
}

async function checkThemeIsRemembered(page) {
  await page.goto(`${BASE_URL}/app/`);
  await page.getByRole("button", { name: "Switch to the dark theme" }).click();
  await page.reload();
  await page.getByRole("button", { name: "Switch to the light theme" }).waitFor();
  const theme = await page.evaluate(() => document.documentElement.dataset.theme);
  assert.equal(theme, "dark");
}

async function waitForPersonalizedFeed(page) {
  const deadline = Date.now() + PERSONALIZED_FEED_TIMEOUT_MS;
  for (;;) {
    const strategy = await page.evaluate(async () => {
      const response = await fetch("/api/v1/feed/?page_size=1", { credentials: "same-origin" });
      return (await response.json()).strategy;
    });
    if (strategy === "two_tower") {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `The feed of ${DEMO_BUYER} is still "${strategy}" after ${PERSONALIZED_FEED_TIMEOUT_MS / 1000} s; ` +
          "the Celery worker did not finish training (see var/e2e/worker.log).",
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

async function captureScreenshots(browser, listingPath) {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  for (const colorScheme of ["light", "dark"]) {
    for (const width of [360, 1280]) {
      const { context, page, problems } = await openContext(browser, {
        viewport: { width, height: width === 360 ? 780 : 900 },
        colorScheme,
        deviceScaleFactor: 1,
      });
      await signIn(page, DEMO_BUYER);

      await page.goto(`${BASE_URL}/app/`);
      await page.locator(".card").first().waitFor();
      await page.waitForLoadState("networkidle");
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(background, colorScheme === "dark" ? "rgb(13, 17, 23)" : "rgb(255, 255, 255)");
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.equal(overflow, 0, `the home page scrolls sideways at ${width} px`);
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `home-${colorScheme}-${width}.png`) });
      await checkAccessibility(page, `the home page (${colorScheme}, ${width} px)`);

      await page.goto(`${BASE_URL}${listingPath}`);
      await page.getByRole("heading", { level: 1, name: TITLE }).waitFor();
      // The category strip loads after the listing.
      await page.waitForLoadState("networkidle");
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `listing-${colorScheme}-${width}.png`) });
      await checkAccessibility(page, `the listing page (${colorScheme}, ${width} px)`);

      assert.deepEqual(problems, []);
      await context.close();
    }
  }
}

async function main() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // Playwright gives every launch a fresh temporary --user-data-dir.
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  try {
    step("seller signs up, confirms the address and lists an item with photos");
    const images = await writeTestImages(IMAGE_DIR);
    const steps = { baseUrl: BASE_URL, mailDir: MAIL_DIR, checkAccessibility, title: TITLE };
    const newcomer = await openContext(browser);
    await newcomer.page.goto(`${BASE_URL}/app/sign-in`);
    await checkAccessibility(newcomer.page, "the sign-in page");
    await checkWrongPassword(newcomer);
    const account = { email: "e2e-seller@example.com", username: "e2e-seller", password: PASSWORD };
    const verificationLink = await signUp(newcomer, account, steps);
    assert.deepEqual(newcomer.problems, []);
    await newcomer.context.close();
    const seller = await openContext(browser, SELLER_LOCATION);
    await confirmEmail(seller, verificationLink, steps);
    await resetPassword(seller, account, steps);
    await signIn(seller.page, "e2e-seller");
    await manageProfile(seller, images, steps);
    const listingPath = await listItem(seller.page, images);
    await hideAndShowAgain(seller.page);
    await editListing(seller, listingPath, images, steps);
    await deleteAListing(seller, steps);
    await checkThemeIsRemembered(seller.page);
    assert.deepEqual(seller.problems, []);
    await seller.context.close();

    step("buyer finds it by a Korean search");
    const buyer = await openContext(browser);
    await signInWithKeyboard(buyer.page, "e2e-buyer");
    await findByKoreanSearch(buyer.page, listingPath);
    await checkEmptySearch(buyer.page);
    step("buyer follows live suggestions");
    await checkLiveSuggestions(buyer.page, { baseUrl: BASE_URL, listingPath, checkAccessibility });
    assert.deepEqual(buyer.problems, []);
    step("buyer favorites, offers, checks out; the seller sees the order");
    await buyAndSell({
      browser,
      buyer,
      listingPath,
      title: TITLE,
      tools: { baseUrl: BASE_URL, openContext, signIn, checkAccessibility },
    });
    await buyer.context.close();

    step(`waiting for the worker to personalize the feed of ${DEMO_BUYER}`);
    const demo = await openContext(browser);
    await signIn(demo.page, DEMO_BUYER);
    await waitForPersonalizedFeed(demo.page);
    await demo.context.close();

    step("screenshots");
    await captureScreenshots(browser, listingPath);
  } finally {
    await browser.close();
  }
  step("journey passed");
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
