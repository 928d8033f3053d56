// Opens a conformance.html in headless Chromium and prints, as JSON, what a
// person sees there: the title, the summary, the matrix's failing rows, each
// failure's verdict and repeat command as shown, whether the page is wider
// than the window, and every console message and page error. It judges
// nothing: the Rust test that starts it does (conformance/tests/self_checks/reports.rs).
// It also takes screenshots: SHOT.png, the page down to the matrix (and the
// list of failures), and SHOT-failure.png, the first failure's entry.
//
//   node look.mjs REPORT.html SHOT WIDTH
//
// Chromium is Debian's (/usr/bin/chromium, or $CHROMIUM); playwright-core
// downloads no browser of its own.
import { chromium } from "playwright-core";
import { pathToFileURL } from "node:url";

const [html, shot, width] = process.argv.slice(2);
if (!html || !shot || !width) {
  console.error("usage: node look.mjs REPORT.html SHOT WIDTH");
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  // The machine's network is closed: without these, Chromium keeps trying it.
  args: [
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
  const page = await browser.newPage({ viewport: { width: Number(width), height: 900 } });
  const console_ = [];
  const requests = [];
  page.on("console", (message) => console_.push({ type: message.type(), text: message.text() }));
  page.on("pageerror", (error) => console_.push({ type: "pageerror", text: String(error) }));
  page.on("request", (request) => {
    if (!request.url().startsWith("file:")) requests.push(request.url());
  });
  await page.goto(pathToFileURL(html).href);

  const seen = await page.evaluate(() => {
    const visible = (element) => element && element.checkVisibility() && element.innerText.trim() !== "";
    const text = (element) => (visible(element) ? element.innerText.trim() : null);
    const rows = [...document.querySelectorAll("tbody tr")];
    const failures = [...document.querySelectorAll("#failures + ul a")].map((link) => {
      // The fragment as written: ids are percent-encoded as their links are.
      const anchor = link.getAttribute("href").slice(1);
      const trial = document.getElementById(anchor);
      return {
        trial: link.innerText.trim(),
        anchor,
        linked: trial !== null,
        shown: text(trial),
        repeat: text(trial && trial.querySelector("pre.repeat")),
      };
    });
    return {
      title: document.title,
      summary: text(document.querySelector(".summary")),
      failingRows: rows.filter((row) => row.querySelector("td.fail")).map(text),
      rows: rows.length,
      failures,
      overflowsWindow: document.documentElement.scrollWidth > window.innerWidth,
    };
  });
  const overview = await page.evaluate(() => {
    const last = document.querySelector("#failures + ul") || document.querySelector("table");
    return Math.ceil(last.getBoundingClientRect().bottom + window.scrollY + 16);
  });
  const pageWidth = Number(width);
  await page.screenshot({ path: `${shot}.png`, fullPage: true, clip: { x: 0, y: 0, width: pageWidth, height: overview } });
  if (seen.failures.length > 0) {
    await page.locator(`[id="${seen.failures[0].anchor}"]`).screenshot({ path: `${shot}-failure.png` });
  }
  console.log(JSON.stringify({ ...seen, console: console_, requests }));
} finally {
  await browser.close();
}
