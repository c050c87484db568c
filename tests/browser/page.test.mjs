// The web page in a real browser: the system's headless Chromium, driven by
// playwright-core, against `unspin serve` with the real model. Run it with
// scripts/browser-test.sh, which installs what it needs.
//
// Environment: UNSPIN_BIN (the unspin binary), UNSPIN_MODEL (model dir),
// CHROMIUM (default /usr/bin/chromium), SCREENSHOT (PNG path to write; a
// second picture, of the findings before any decision, goes beside it).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

const root = path.resolve(import.meta.dirname, "../..");
const bin = process.env.UNSPIN_BIN || path.join(root, "target/release/unspin");
const model = process.env.UNSPIN_MODEL || path.join(root, "model");
const screenshot = process.env.SCREENSHOT || path.join(root, "target/browser/page.png");

// The spun example. The test asks the API which phrases the model flags in
// it and expects those on the page, so it follows the model as it improves.
const SPUN = readFileSync(path.join(root, "data/examples/spun-news.txt"), "utf8").trim();

let server;
let base;
let context;
let userDataDir;
const offsite = [];
const consoleErrors = [];

function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ["serve", "--addr", "127.0.0.1:0", "--model", model], { stdio: ["ignore", "ignore", "pipe"] });
    let seen = "";
    const timer = setTimeout(() => reject(new Error("unspin serve did not start: " + seen)), 30000);
    child.stderr.on("data", (chunk) => {
      seen += chunk;
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    });
    child.on("exit", (code) => reject(new Error("unspin serve exited with " + code + ": " + seen)));
  });
}

before(async () => {
  const started = await startServer();
  server = started.child;
  base = started.url;
  userDataDir = mkdtempSync(path.join(tmpdir(), "unspin-chromium-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
    viewport: { width: 1000, height: 760 },
    permissions: ["clipboard-read", "clipboard-write"],
  });
  // The page must work with no network but the server: anything else is
  // recorded (and fails the test) and never sent.
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(base + "/") || url.startsWith("data:")) return route.continue();
    offsite.push(url);
    return route.abort();
  });
});

after(async () => {
  if (context) await context.close();
  if (server) server.kill();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

test("paste spun text, see highlights, accept and reject with the keyboard", async () => {
  const api = await fetch(base + "/v1/check", { method: "POST", body: JSON.stringify({ text: SPUN, threshold: 0.5 }) });
  const report = await api.json();
  assert.ok(report.findings.length >= 3, "the model flags the paragraph: " + JSON.stringify(report));

  const page = await context.newPage();
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  await page.goto(base + "/");
  assert.equal(await page.title(), "unspin — find and undo spun text");

  // Paste: focus the text area and insert the text as one input event.
  // The highest sensitivity, as a reviewer of a suspect text would choose:
  // three findings at least, so that one is left for "accept all".
  // The general profile's scale: "highest" is a threshold of 0.5.
  assert.equal(await page.inputValue("#profile"), "general", "the server's profile comes first");
  await page.selectOption("#sensitivity", "highest");
  await page.focus("#text");
  await page.keyboard.insertText(SPUN);
  await page.keyboard.press("Control+Enter");

  const phrases = page.locator(".finding .phrase");
  await phrases.first().waitFor();
  assert.equal(await phrases.count(), report.findings.length);
  assert.deepEqual(await phrases.allTextContents(), report.findings.map((f) => f.text));
  const verdict = await page.locator("#verdict").textContent();
  assert.match(verdict, report.spun ? /Likely spun/ : /Probably not spun/);

  // Focus moved to the first finding; its tooltip shows the suggestion and confidence.
  const [first, second] = report.findings;
  assert.equal(await page.evaluate(() => document.activeElement.textContent), first.text);
  const tip = page.locator(".finding").first().locator(".tip");
  assert.ok(await tip.isVisible(), "the tooltip shows on focus");
  const tipText = await tip.textContent();
  assert.ok(tipText.includes(first.suggestion) && tipText.includes(Math.round(first.confidence * 100) + "%"), tipText);

  mkdirSync(path.dirname(screenshot), { recursive: true });
  await page.screenshot({ path: screenshot.replace(/\.png$/, "-findings.png"), fullPage: true });

  // Enter accepts: the text area now holds the suggestion.
  const before = await page.inputValue("#text");
  assert.equal(before, SPUN);
  await page.keyboard.press("Enter");
  const afterAccept = await page.inputValue("#text");
  assert.notEqual(afterAccept, before);
  assert.ok(afterAccept.includes(first.suggestion) && !afterAccept.includes(" " + first.text + " "), afterAccept);
  assert.equal(await page.locator(".finding").first().getAttribute("class"), "finding accepted");
  assert.equal(await phrases.first().textContent(), first.suggestion);

  // Tab to the next finding (the reject buttons are not tab stops); Delete rejects it.
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.textContent), second.text);
  await page.keyboard.press("Delete");
  assert.equal(await page.locator(".finding").nth(1).getAttribute("class"), "finding rejected");
  assert.ok((await page.inputValue("#text")).includes(second.text));

  // Accept all takes the rest but leaves the rejected one alone.
  await page.click("#accept-all");
  const expected = report.findings
    .map((f, i) => ({ f, take: i !== 1 }))
    .reduceRight((text, { f, take }) => {
      if (!take) return text;
      const bytes = Buffer.from(text, "utf8");
      return Buffer.concat([bytes.subarray(0, f.start), Buffer.from(f.suggestion), bytes.subarray(f.end)]).toString("utf8");
    }, SPUN);
  assert.equal(await page.inputValue("#text"), expected);
  assert.match(await page.locator("#status").textContent(), new RegExp(report.findings.length - 1 + " accepted, 1 rejected"));

  // Copy puts the restored text on the clipboard.
  await page.click("#copy");
  await page.locator("#status", { hasText: "copied" }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), expected);

  // A picture for people: hover the rejected finding so its tooltip shows.
  await page.locator(".finding .phrase").nth(1).hover();
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log("screenshot: " + screenshot);

  assert.deepEqual(offsite, [], "the page asked for nothing outside the server");
  assert.deepEqual(consoleErrors, [], "no script or policy errors");
});

test("another probable original can be chosen, with the keyboard and the mouse", async () => {
  // The page asks for three alternatives a finding.
  const api = await fetch(base + "/v1/check", { method: "POST", body: JSON.stringify({ text: SPUN, threshold: 0.5, alternatives: 3 }) });
  const report = await api.json();
  const at = report.findings.findIndex((f) => (f.alternatives || []).length >= 2);
  assert.ok(at >= 0, "a finding with two alternatives at least: " + JSON.stringify(report));
  const f = report.findings[at];
  assert.ok(f.alternatives.length <= 3 && !f.alternatives.includes(f.suggestion), JSON.stringify(f));

  const page = await context.newPage();
  await page.goto(base + "/");
  await page.selectOption("#sensitivity", "highest");
  await page.focus("#text");
  await page.keyboard.insertText(SPUN);
  await page.keyboard.press("Control+Enter");
  const phrase = page.locator(".finding .phrase").nth(at);
  await phrase.waitFor();
  await phrase.focus();
  const tip = page.locator(".finding").nth(at).locator(".tip");
  assert.deepEqual(await tip.locator(".other").allTextContents(), [f.suggestion, ...f.alternatives]);
  assert.match(await phrase.getAttribute("aria-label"), /arrow keys choose another original/);

  // The down arrow takes the first alternative, and puts it in the text.
  const replaced = (word) => {
    const bytes = Buffer.from(SPUN, "utf8");
    return Buffer.concat([bytes.subarray(0, f.start), Buffer.from(word), bytes.subarray(f.end)]).toString("utf8");
  };
  await page.keyboard.press("ArrowDown");
  assert.equal(await phrase.textContent(), f.alternatives[0]);
  assert.equal(await page.locator(".finding").nth(at).getAttribute("class"), "finding accepted");
  assert.equal(await page.inputValue("#text"), replaced(f.alternatives[0]));
  // The up arrow goes back to the suggestion.
  await page.keyboard.press("ArrowUp");
  assert.equal(await page.inputValue("#text"), replaced(f.suggestion));

  // The mouse: hover the phrase and click the second alternative in its tooltip.
  await phrase.hover();
  await tip.locator(".other").nth(2).click();
  assert.equal(await page.inputValue("#text"), replaced(f.alternatives[1]));
  assert.equal(await tip.locator(".other.chosen").textContent(), f.alternatives[1]);
  // Enter now undoes the choice: the text is as written again.
  await phrase.focus();
  await page.keyboard.press("Enter");
  assert.equal(await page.inputValue("#text"), SPUN);
  assert.deepEqual(consoleErrors, [], "no script or policy errors");
});

test("an API error is shown, not swallowed", async () => {
  const page = await context.newPage();
  await page.goto(base + "/");
  await page.click("#check");
  assert.match(await page.locator("#status").textContent(), /Paste or type some text first/);
  await page.fill("#text", "x".repeat(2 * 1024 * 1024));
  await page.click("#check");
  await page.locator("#status", { hasText: "Could not check" }).waitFor();
  assert.match(await page.locator("#status").textContent(), /larger than the limit/);
  assert.ok(await page.locator("#result").isHidden());
});
