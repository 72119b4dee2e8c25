/**
 * The web app in a real browser (Debian's Chromium through playwright-core) against a server on
 * ml-latest-small: every page renders without console errors, the recommendation flow (user 1 ->
 * 10 cards with reasons; rating a movie changes the list), a new user's onboarding, the similar
 * flow ("toy story" -> Toy Story 2), and a bad user id showing a message. Screenshots of every
 * page go to test-output/.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Locator, Page } from "playwright-core";
import { type AppServer, dataDir, startAppServer } from "./app-server.js";
import {
  type Browser,
  findChromium,
  launchBrowser,
  projectRoot,
  screenshot,
  watchErrors,
} from "./browser.js";

const chromiumPath = findChromium();
const text = async (l: Locator): Promise<string> => (await l.textContent()) ?? "";
const skip = !chromiumPath
  ? "chromium is not installed (apt-get install -y chromium; .ci/run does it)"
  : !existsSync(dataDir)
    ? `ml-latest-small not found at ${dataDir}`
    : false;

describe("web app in Chromium", { skip, timeout: 600_000 }, () => {
  let server: AppServer;
  let browser: Browser;

  before(async () => {
    assert.ok(
      existsSync(join(projectRoot, "web", "dist", "index.html")),
      "web/dist is missing: run `npm run build:web`",
    );
    server = await startAppServer();
    browser = await launchBrowser(chromiumPath!);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(path: string): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(30_000);
    const errors = watchErrors(page);
    await page.goto(`${server.url}/${path}`);
    return { page, errors };
  }

  test("every page renders with no console errors", async (t) => {
    t.diagnostic(
      `against ${server.kind} (trained in ${server.trainSeconds.toFixed(1)} s) at ${server.url}`,
    );
    const pages: [string, string, (p: Page) => Promise<unknown>][] = [
      [
        "data",
        "?page=data",
        async (p) => {
          await p.locator(".stat-card").first().waitFor();
          await p.locator(".chart svg").nth(4).waitFor();
          await p.locator("[data-testid=interactions] tbody tr").first().waitFor();
        },
      ],
      [
        "models",
        "?page=models",
        async (p) => {
          await p.locator("[data-testid=comparison-table] tbody tr").first().waitFor();
          await p.locator(".chart svg").nth(3).waitFor();
          await p.locator("[data-testid=confusion-matrix]").waitFor();
        },
      ],
      [
        "recommendations",
        "?page=recommendations&user=1",
        async (p) => {
          await p.locator("[data-testid=rec-card]").first().waitFor();
        },
      ],
      [
        "similar",
        "?page=similar&movie=1",
        async (p) => {
          await p.locator("[data-testid=similar-card]").first().waitFor();
        },
      ],
    ];
    for (const [name, path, ready] of pages) {
      const { page, errors } = await open(path);
      await ready(page);
      await page.waitForTimeout(600); // let chart animations settle for the screenshot
      await screenshot(page, name);
      assert.equal(
        await page.locator("[role=alert]").count(),
        0,
        `${name}: an error message is shown`,
      );
      assert.deepEqual(errors, [], `${name}: console errors`);
      await page.close();
    }
  });

  test("models table sorts and toggles validation/test", async () => {
    const { page, errors } = await open("?page=models");
    const firstCell = () =>
      text(page.locator("[data-testid=comparison-table] tbody tr th").first());
    await page.locator("[data-testid=comparison-table] tbody tr").first().waitFor();
    const before = await firstCell();
    await page.getByRole("button", { name: /^Model/ }).click();
    const afterSort = await firstCell();
    await page.getByRole("button", { name: /^Model/ }).click();
    assert.notEqual(
      await firstCell(),
      afterSort,
      "sorting by model name both ways gives different first rows",
    );
    await page.getByLabel("Test", { exact: true }).check();
    await page.getByRole("heading", { name: "ROC curves (test)" }).waitFor();
    assert.ok(before.length > 0);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("user 1 gets 10 cards with reasons, and rating one updates the list", async () => {
    const { page, errors } = await open("?page=recommendations");
    await page.getByLabel("User id").fill("1");
    await page.getByLabel("User id").press("Enter");
    const cards = page.locator("[data-testid=rec-card]");
    await cards.nth(9).waitFor();
    assert.equal(await cards.count(), 10);
    for (let i = 0; i < 10; i++) {
      assert.ok(
        (await cards.nth(i).locator(".reasons li").count()) >= 1,
        `card ${i + 1} has reasons`,
      );
    }
    assert.match(page.url(), /[?&]page=recommendations/);
    assert.match(page.url(), /[?&]user=1(&|$)/);
    const idsBefore = await cards.evaluateAll((els) =>
      els.map((e) => e.getAttribute("data-movie-id")),
    );
    const first = idsBefore[0];
    // Rate the first recommendation 4.5 stars (left half of the fifth star).
    await cards.first().locator('.hit[data-value="4.5"]').click();
    await page.locator(".flash").waitFor();
    // (Expressions as strings: this file compiles without DOM types; they run in the page.)
    await page.waitForFunction(
      `!document.querySelector('[data-testid=rec-card][data-movie-id="${first}"]') && !document.querySelector("[aria-busy=true]")`,
    );
    const idsAfter = await cards.evaluateAll((els) =>
      els.map((e) => e.getAttribute("data-movie-id")),
    );
    assert.equal(idsAfter.length, 10);
    assert.notDeepEqual(idsAfter, idsBefore, "the list changed after rating");
    assert.ok(!idsAfter.includes(first), "the rated movie left the list");
    await page.locator(".recent-item").first().waitFor();
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("a new user is onboarded by rating popular movies", async () => {
    const { page, errors } = await open("?page=recommendations");
    await page.getByRole("button", { name: "New user" }).click();
    const onboarding = page.locator("[data-testid=onboarding]");
    await onboarding.locator("[data-testid=onboarding-card]").nth(5).waitFor();
    assert.match(page.url(), /[?&]user=\d+/);
    await screenshot(page, "onboarding");
    const done = page.getByRole("button", { name: "Show my recommendations" });
    assert.equal(await done.isDisabled(), true);
    // Two ratings with the mouse (half-star hit areas), one with the keyboard (arrows + Enter).
    const cardsOn = onboarding.locator("[data-testid=onboarding-card]");
    for (const [i, value] of [
      [0, "5"],
      [1, "4.5"],
    ] as const) {
      await cardsOn.nth(i).locator(`.hit[data-value="${value}"]`).click();
      await cardsOn.nth(i).locator(".saved").waitFor();
    }
    const slider = cardsOn.nth(2).getByRole("slider");
    await slider.focus();
    for (let i = 0; i < 3; i++) await slider.press("ArrowRight");
    assert.equal(await slider.getAttribute("aria-valuenow"), "1.5");
    await slider.press("Enter");
    await cardsOn.nth(2).locator(".saved").waitFor();
    assert.equal(await done.isDisabled(), false);
    await done.click();
    const cards = page.locator("[data-testid=rec-card]");
    await cards.nth(9).waitFor();
    assert.equal(await cards.count(), 10);
    assert.equal(
      await page.locator("[data-testid=cold-start]").count(),
      0,
      "after onboarding the list is personal",
    );
    await page.locator(".recent-item").nth(2).waitFor();
    await screenshot(page, "recommendations-new-user");
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('"toy story" finds Toy Story 2 among similar movies; methods toggle', async () => {
    const { page, errors } = await open("?page=similar");
    const box = page.getByRole("combobox", { name: "Movie title" });
    await box.fill("toy story");
    const options = page.getByRole("option");
    await options.first().waitFor();
    const labels = await options.allTextContents();
    assert.ok(
      labels.every((l) => /Toy Story/.test(l)),
      labels.join(" | "),
    );
    // Keyboard only: arrow down to "Toy Story 1995" (the original), Enter picks it.
    const original = labels.findIndex((l) => /^Toy Story 1995/.test(l));
    assert.ok(original >= 0, `Toy Story (1995) among ${labels.join(" | ")}`);
    for (let i = 0; i < original; i++) await box.press("ArrowDown");
    await box.press("Enter");
    await page.locator("[data-testid=similar-card]").first().waitFor();
    assert.match(page.url(), /[?&]movie=\d+/);
    const titles = await page.locator("[data-testid=similar-card] .movie-title").allInnerTexts();
    assert.ok(
      titles.some((t) => /Toy Story 2/.test(t)),
      `Toy Story 2 among ${titles.join(" | ")}`,
    );
    for (const method of ["Content", "Collaborative"]) {
      await page.getByLabel(method, { exact: true }).check();
      await page.waitForURL(new RegExp(`method=${method.toLowerCase()}`));
      await page.locator("[data-testid=similar-card]").first().waitFor();
    }
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("posters and overviews from `cinerank metadata` reach the page", async () => {
    const { page, errors } = await open("?page=similar&movie=1");
    const selected = page.locator("[data-testid=selected-movie]");
    await selected.waitFor();
    assert.match(await text(selected), /Test overview: a cowboy doll/);
    const poster = selected.locator("img.poster");
    await poster.waitFor();
    assert.match((await poster.getAttribute("src")) ?? "", /\/poster\/1\.svg$/);
    await page.waitForFunction(
      "[...document.querySelectorAll('img.poster')].every((i) => i.complete && i.naturalWidth > 0)",
    );
    const sequel = page.locator('[data-testid=similar-card][data-movie-id="3114"]');
    await sequel.locator("img.poster").waitFor();
    // Movies without metadata keep the placeholder.
    assert.ok((await page.locator("[data-testid=similar-card] .poster.placeholder").count()) > 0);
    await screenshot(page, "similar-with-posters");
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("a bad user id shows a message", async () => {
    const { page } = await open("?page=recommendations");
    await page.getByLabel("User id").fill("abc");
    await page.getByRole("button", { name: "Recommend" }).click();
    const msg = page.locator("[data-testid=user-id-error]");
    await msg.waitFor();
    assert.match(await text(msg), /not a user id/);
    assert.equal(await page.locator("[data-testid=rec-card]").count(), 0);
    // A bad id in a shared URL is caught the same way.
    await page.goto(`${server.url}/?page=recommendations&user=-4`);
    await page.locator("[data-testid=user-id-error]").waitFor();
    await screenshot(page, "bad-user-id");
    // An API error (unknown movie) is shown as a message, not a blank page.
    await page.goto(`${server.url}/?page=similar&movie=999999999`);
    await page.getByRole("alert").waitFor();
    assert.match(await text(page.getByRole("alert")), /Could not load similar movies/);
    await page.close();
  });

  test("the layout works on a phone-sized screen", async () => {
    const { page, errors } = await open("?page=recommendations&user=1");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator("[data-testid=rec-card]").first().waitFor();
    const overflow = (await page.evaluate(
      "document.documentElement.scrollWidth - window.innerWidth",
    )) as number;
    assert.ok(overflow <= 1, `no horizontal scrolling (overflow ${overflow}px)`);
    await screenshot(page, "recommendations-mobile");
    assert.deepEqual(errors, []);
    await page.close();
  });
});
