// End-to-end steps of the account pages and of listing editing: sign-up
// with the verification mail, the profile with its neighbourhoods, photos
// on the sell form, and the seller's edit of a listing.
import assert from "node:assert/strict";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { deflateSync } from "node:zlib";

// Near the centre of the demo neighbourhood 망원동 Mangwon-dong (seed_demo).
export const SELLER_LOCATION = {
  geolocation: { latitude: 37.5561, longitude: 126.902 },
  permissions: ["geolocation"],
};
export const EDITED_PRICE = "1150000";
export const EDITED_PRICE_TEXT = "1,150,000";
const MAIL_TIMEOUT_MS = 15_000;

function pngChunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit += 1) {
      crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
    }
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** Encodes an RGB gradient of `width` x `height` pixels as a PNG file. */
export function gradientPng(width, height, [red, green, blue]) {
  const rows = [];
  for (let y = 0; y < height; y += 1) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x += 1) {
      row[1 + x * 3] = (red + x * 2) % 256;
      row[2 + x * 3] = (green + y * 2) % 256;
      row[3 + x * 3] = blue;
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", deflateSync(Buffer.concat(rows))),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/**
 * Writes the test images: two photos of different shapes, a PNG cut off
 * after its header (the API rejects it on decoding) and a text file with
 * a photo's name (the form rejects it from its first bytes). The HEIC
 * photo comes from run.sh.
 */
export async function writeTestImages(directory) {
  await mkdir(directory, { recursive: true });
  const wide = gradientPng(96, 64, [200, 40, 40]);
  const files = {
    wide: path.join(directory, "wide.png"),
    tall: path.join(directory, "tall.png"),
    truncated: path.join(directory, "truncated.png"),
    renamed: path.join(directory, "notes.jpg"),
    // run.sh writes it with pillow-heif.
    heic: path.join(directory, "phone.heic"),
  };
  await writeFile(files.wide, wide);
  await writeFile(files.tall, gradientPng(64, 96, [40, 40, 200]));
  await writeFile(files.truncated, wide.subarray(0, 60));
  await writeFile(files.renamed, "These are notes, not a photo.\n");
  return files;
}

/** Removes the console errors that a step expects from `problems`. */
function takeExpectedProblems(problems, statuses) {
  const expected = statuses.map(
    (status) => `console error: Failed to load resource: the server responded with a status of ${status}`,
  );
  const unexpected = [];
  for (const problem of problems) {
    const index = expected.findIndex((prefix) => problem.startsWith(prefix));
    if (index >= 0) {
      expected.splice(index, 1);
    } else {
      unexpected.push(problem);
    }
  }
  assert.deepEqual(expected, [], "an expected failed request did not happen");
  problems.length = 0;
  problems.push(...unexpected);
}

/** Fails when the page scrolls sideways at a phone's width of 360 px. */
async function checkPhoneWidth(page, label) {
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: 360, height: 780 });
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  await page.setViewportSize(viewport);
  assert.equal(overflow, 0, `${label} scrolls sideways at 360 px`);
}

/**
 * Returns the link into the app under `appPath` from the newest mail in
 * `mailDir`, waiting until a mail with such a link arrives.
 */
async function readMailLink(mailDir, baseUrl, appPath) {
  const deadline = Date.now() + MAIL_TIMEOUT_MS;
  const prefix = `${baseUrl}${appPath}`;
  for (;;) {
    const names = await readdir(mailDir).catch(() => []);
    if (names.length > 0) {
      const dated = await Promise.all(
        names.map(async (name) => ({ name, modified: (await stat(path.join(mailDir, name))).mtimeMs })),
      );
      const newest = dated.sort((a, b) => b.modified - a.modified)[0].name;
      // Undo quoted-printable soft line breaks, in case the mail uses them.
      const text = (await readFile(path.join(mailDir, newest), "utf8")).replace(/=\r?\n/g, "");
      const link = text.split(/\s+/).find((word) => word.startsWith(prefix));
      if (link) {
        return link;
      }
    }
    if (Date.now() > deadline) {
      throw new Error(`No mail with a link to ${prefix} arrived in ${mailDir} within ${MAIL_TIMEOUT_MS / 1000} s.`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Signs up in the app and returns the link of the verification mail. The
 * form first reports a too-short password without sending anything.
 */
export async function signUp({ page, problems }, account, { baseUrl, mailDir, checkAccessibility }) {
  await page.goto(`${baseUrl}/app/sign-in`);
  await page.getByRole("link", { name: "Create an account" }).click();
  await page.getByRole("heading", { name: "Create an account" }).waitFor();
  assert.equal(await page.title(), "Create an account · Marketplace");
  await checkAccessibility(page, "the sign-up page");
  await checkPhoneWidth(page, "the sign-up page");

  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Username").fill(account.username);
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create the account" }).click();
  await page.getByText("Password has 5 characters; use at least 8.").waitFor();

  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Create the account" }).click();
  await page.getByRole("heading", { name: "Check your email" }).waitFor();
  assert.match(await page.getByRole("status").textContent(), new RegExp(`We sent a link to ${account.email}`));
  await checkAccessibility(page, "the check-your-email page");
  // allauth responds with 401 to a sign-up that waits for verification.
  takeExpectedProblems(problems, [401]);
  return readMailLink(mailDir, baseUrl, "/app/verify-email/");
}

/**
 * Opens the verification link in a browser without the sign-up's session,
 * as a mail program would, and confirms the address.
 */
export async function confirmEmail({ page, problems }, link, { checkAccessibility }) {
  await page.goto(link);
  await page.getByRole("heading", { name: "Confirm your email" }).waitFor();
  await checkAccessibility(page, "the verification page");
  await page.getByRole("button", { name: "Confirm the address" }).click();
  await page.getByRole("heading", { name: "Email confirmed" }).waitFor();
  assert.match(await page.getByRole("status").textContent(), /is confirmed\. Sign in to continue\./);
  // Confirmed without signing in: this browser did not start the sign-up.
  takeExpectedProblems(problems, [401]);
}

/**
 * Resets the password through the mail from the sign-in page's "Forgot
 * your password?" link, setting `account.password` again so that later
 * sign-ins keep working.
 */
export async function resetPassword({ page, problems }, account, { baseUrl, mailDir, checkAccessibility }) {
  await page.goto(`${baseUrl}/app/sign-in`);
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await page.getByRole("heading", { name: "Reset your password" }).waitFor();
  await page.getByLabel("Email").fill(account.email);
  await page.getByRole("button", { name: "Send the link" }).click();
  await page.getByRole("heading", { name: "Check your email" }).waitFor();

  const link = await readMailLink(mailDir, baseUrl, "/app/password/reset/");
  await page.goto(link);
  await page.getByRole("heading", { name: "Choose a new password" }).waitFor();
  await checkAccessibility(page, "the new password page");
  await page.getByLabel("New password").fill(account.password);
  await page.getByRole("button", { name: "Save the password" }).click();
  await page.getByRole("heading", { name: "Password changed" }).waitFor();
  // allauth responds with 401 because a reset does not sign in.
  takeExpectedProblems(problems, [401]);
}

/**
 * Visits the profile: trust score, an avatar upload, and neighbourhoods
 * (add two, confirm one with the browser's location, remove one).
 */
export async function manageProfile({ page }, images, { baseUrl, checkAccessibility }) {
  await page.getByRole("link", { name: "Profile" }).click();
  await page.getByRole("heading", { name: "Your profile" }).waitFor();
  assert.match(await page.locator(".trust").textContent(), /36\.5°C/);
  await page.getByText("No neighbourhood yet.").waitFor();
  await checkAccessibility(page, "the profile page");

  await page.getByLabel("Avatar", { exact: true }).setInputFiles(images.wide);
  await page.getByRole("button", { name: "Save the profile" }).click();
  await page.getByText("Profile saved.").waitFor();
  const avatar = page.getByRole("img", { name: "Your avatar" });
  assert.match(await avatar.getAttribute("src"), /\/media\/avatars\//);
  await page.waitForFunction(() => document.querySelector("img.avatar")?.naturalWidth === 96);

  const neighbourhoods = page.getByRole("region", { name: "Neighbourhoods" });
  for (const query of ["망원", "서교"]) {
    await neighbourhoods.getByLabel("Neighbourhood name").fill(query);
    await neighbourhoods.getByRole("button", { name: "Find" }).click();
    await neighbourhoods.getByRole("button", { name: new RegExp(`^Add ${query}`) }).click();
    await neighbourhoods.getByRole("button", { name: new RegExp(`^Remove ${query}`) }).waitFor();
  }
  await neighbourhoods.getByText("You have the maximum of 2; remove one to add another.").waitFor();

  await neighbourhoods.getByRole("button", { name: /^Confirm with my location \(망원동/ }).click();
  await neighbourhoods.getByText("망원동 Mangwon-dong is confirmed.").waitFor();
  assert.match(await neighbourhoods.locator("li", { hasText: "망원동" }).textContent(), /Confirmed until/);
  await neighbourhoods.getByRole("button", { name: /^Remove 서교동/ }).click();
  await neighbourhoods.getByText("서교동 Seogyo-dong is removed.").waitFor();
  await checkAccessibility(page, "the profile page with a neighbourhood");
  await checkPhoneWidth(page, "the profile page");

  // The profile comes from the server again after a reload.
  await page.goto(`${baseUrl}/app/profile`);
  const saved = page.getByRole("region", { name: "Neighbourhoods" });
  await saved.getByRole("button", { name: /^Remove 망원동/ }).waitFor();
  assert.equal(await saved.getByRole("button", { name: /^Remove 서교동/ }).count(), 0);
}

/**
 * Adds photos on the sell form before the listing is sent: a renamed text
 * file is rejected at once, and the tall photo is moved to the front.
 */
export async function choosePhotos(page, images) {
  const picker = page.getByRole("group", { name: "Photos" });
  await picker.getByLabel("Add photos").setInputFiles(images.renamed);
  await picker
    .getByText("File 'notes.jpg' is not a JPEG, PNG, WebP or HEIC image; upload a photo in one of these formats.")
    .waitFor();
  await picker.getByLabel("Add photos").setInputFiles([images.wide, images.tall]);
  await picker.getByRole("button", { name: "Move tall.png earlier" }).click();
  const names = await picker.locator(".photo-name").allTextContents();
  assert.deepEqual(names, ["1. tall.png", "2. wide.png"]);
}

/**
 * Checks the listing's first photo, then edits the listing as its seller:
 * the API rejects a truncated photo with its own message and accepts a
 * HEIC one, and the new price shows on the listing page.
 */
export async function editListing({ page, problems }, listingPath, images, { baseUrl, title, checkAccessibility }) {
  await page.goto(`${baseUrl}${listingPath}`);
  await page.getByRole("heading", { level: 1, name: title }).waitFor();
  // The tall photo was moved to the front, so it is the listing's image.
  await page.waitForFunction(() => document.querySelector(".gallery > img")?.naturalHeight > 0);
  const size = await page.locator(".gallery > img").evaluate((image) => [image.naturalWidth, image.naturalHeight]);
  assert.deepEqual(size, [64, 96]);

  await page.getByRole("link", { name: "Edit the listing" }).click();
  await page.getByRole("heading", { name: "Edit the listing" }).waitFor();
  assert.equal(await page.getByLabel("Title").inputValue(), title);
  assert.equal(await page.getByLabel("Price").inputValue(), "1200000");
  assert.equal(await page.getByLabel("Currency").inputValue(), "KRW");
  const picker = page.getByRole("group", { name: "Photos" });
  assert.deepEqual(await picker.locator(".photo-name").allTextContents(), [
    "1. Photo 1 uploaded",
    "2. Photo 2 uploaded",
  ]);
  assert.equal(await page.title(), `Edit: ${title} · Marketplace`);
  await checkAccessibility(page, "the edit form");
  await checkPhoneWidth(page, "the edit form");

  await picker.getByLabel("Add photos").setInputFiles(images.truncated);
  await page.getByRole("button", { name: "Save the changes" }).click();
  const refusal = picker.getByText(/^Photo 'truncated\.png' is truncated or corrupt and could not be read/);
  await refusal.waitFor();
  takeExpectedProblems(problems, [400]);

  await picker.getByRole("button", { name: "Remove truncated.png" }).click();
  await picker.getByRole("button", { name: "Remove Photo 2" }).click();
  await picker.getByLabel("Add photos").setInputFiles(images.heic);
  await picker.getByRole("button", { name: "Remove phone.heic" }).waitFor();
  await page.getByLabel("Price").fill(EDITED_PRICE);
  await page.getByRole("button", { name: "Save the changes" }).click();
  await page.waitForURL(`${baseUrl}${listingPath}`);
  await page.locator(".price", { hasText: EDITED_PRICE_TEXT }).first().waitFor();

  // The edit went to the server: a fresh load shows it, with the tall
  // photo first and the HEIC one stored as an 80 x 60 JPEG after it.
  await page.reload();
  await page.getByRole("heading", { level: 1, name: title }).waitFor();
  assert.match(await page.locator(".price").first().textContent(), new RegExp(EDITED_PRICE_TEXT));
  const listing = await page.evaluate(async (listingUrl) => {
    const response = await fetch(`/api/v1${listingUrl.replace(/^\/app/, "")}/`);
    return response.json();
  }, listingPath);
  assert.equal(listing.price, EDITED_PRICE);
  const sizes = listing.photos.map((photo) => [photo.width, photo.height]);
  assert.deepEqual(sizes, [
    [64, 96],
    [80, 60],
  ]);
  assert.match(listing.photos[1].url, /\.jpg$/);
}

/**
 * Lists a second item and deletes it through the confirmation, leaving the
 * main listing for the buyer's steps.
 */
export async function deleteAListing({ page, problems }, { baseUrl }) {
  await page.goto(`${baseUrl}/app/sell`);
  await page.getByLabel("Title").fill("삭제할 충전기");
  await page.getByLabel("Price").fill("5000");
  await page.getByLabel("Currency").selectOption("KRW");
  await page.getByLabel("Condition").selectOption("good");
  await page.getByRole("button", { name: "List the item" }).click();
  await page.waitForURL(/\/app\/listings\/\d+$/);
  const deletedPath = new URL(page.url()).pathname;

  await page.getByRole("button", { name: "Delete the listing" }).click();
  const confirmation = page.getByRole("group", { name: "Confirm the deletion" });
  await confirmation.getByRole("button", { name: "Keep it" }).click();
  await page.getByRole("button", { name: "Delete the listing" }).click();
  await confirmation.getByRole("button", { name: "Yes, delete it" }).click();
  await page.waitForURL(/\/app\/?$/);

  const status = await page.evaluate(async (listingUrl) => {
    const response = await fetch(`/api/v1${listingUrl.replace(/^\/app/, "")}/`);
    return response.status;
  }, deletedPath);
  assert.equal(status, 404);
  takeExpectedProblems(problems, [404]);
}
