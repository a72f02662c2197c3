// An archived year opens alone, years later, with nothing but its tarball:
//   node archive-alone.mjs <archive --export tarball> <built site folder> <screenshot folder>
// Unpacks the tarball into an empty folder, opens the year's pages from
// file:// in headless Chromium with every request outside that folder blocked
// (no network, not even the rest of the site), and checks: no failed request,
// no console error, the year's own stylesheet applied, and the computed style
// of body, header, main and the first table equal to the same page of the
// published site. Screenshots at 375 and 1280 px.
import { execFileSync } from "node:child_process";
import { mkdtemp, mkdir, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const [tarball, site, shots] = process.argv.slice(2);
if (!tarball || !site || !shots) {
  console.error("usage: node archive-alone.mjs <archive tarball> <built site folder> <screenshot folder>");
  process.exit(2);
}

const unpacked = await mkdtemp(path.join(tmpdir(), "ecoscore-archive-alone-"));
execFileSync("tar", ["-xzf", path.resolve(tarball), "-C", unpacked]);
const [year] = await readdir(unpacked);
if (!/^\d{4}$/.test(year)) throw new Error(`the tarball holds ${year}/, not a year`);
const archived = path.join(unpacked, year, "site");
const allowed = pathToFileURL(path.join(archived, year)).href + "/";

const PAGES = [
  ["year", `${year}/index.html`],
  ["bulletin", `${year}/bulletin/index.html`],
  ["scorecard", `${year}/regions/changchun/index.html`],
];
// Properties the theme's stylesheet sets; an unstyled page has other values.
const PROPERTIES = ["font-family", "font-size", "color", "background-color", "max-width", "padding-top", "display"];

const failures = [];
const fail = (what) => { failures.push(what); console.error(`FAIL ${what}`); };

const browser = await chromium.launch({
  executablePath: process.env.ECOSCORE_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});

// The computed style of a few landmarks, and the stylesheets that loaded.
function styles(properties) {
  const pick = (selector) => {
    const element = document.querySelector(selector);
    if (!element) return null;
    const style = getComputedStyle(element);
    return Object.fromEntries(properties.map((p) => [p, style.getPropertyValue(p)]));
  };
  // From file:// the rules of a sheet cannot be read (an opaque origin); that
  // it is listed means it loaded, the computed styles show it applied.
  const sheets = [...document.styleSheets].map((s) => s.href);
  return { body: pick("body"), header: pick("header"), main: pick("main"), table: pick("table"), sheets };
}

// Open `file` from `folder` with only `prefix` reachable; report what breaks.
async function open(context, name, folder, file, prefix) {
  const page = await context.newPage();
  page.on("console", (m) => { if (m.type() === "error") fail(`${name}: console error: ${m.text()}`); });
  page.on("pageerror", (e) => fail(`${name}: script error: ${e.message}`));
  page.on("requestfailed", (r) => fail(`${name}: request failed: ${r.url()} (${r.failure()?.errorText})`));
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (!url.startsWith(prefix)) {
      fail(`${name}: request leaves the archived year: ${url}`);
      return route.abort();
    }
    return route.continue();
  });
  await page.goto(pathToFileURL(path.join(folder, file)).href, { waitUntil: "load" });
  return page;
}

await mkdir(shots, { recursive: true });
let checked = 0;
for (const width of [375, 1280]) {
  // offline: no network at all, as on a records office's machine.
  const context = await browser.newContext({ viewport: { width, height: 900 }, offline: true });
  const published = await browser.newContext({ viewport: { width, height: 900 } });
  for (const [name, file] of PAGES) {
    const label = `archive-alone ${name} @${width}px`;
    const page = await open(context, label, archived, file, allowed);
    const alone = await page.evaluate(styles, PROPERTIES);
    if (!alone.sheets.some((href) => href && href.startsWith(allowed) && href.endsWith("/static/style.css"))) {
      fail(`${label}: the year's own style.css did not load (${JSON.stringify(alone.sheets)})`);
    }
    // The default theme paints the header in its brand colour; unstyled, it is transparent.
    if (!alone.header || alone.header["background-color"] === "rgba(0, 0, 0, 0)") {
      fail(`${label}: the header is unstyled (${JSON.stringify(alone.header)})`);
    }
    const live = await open(published, `published ${name} @${width}px`, site, file, pathToFileURL(path.resolve(site)).href);
    const expected = await live.evaluate(styles, PROPERTIES);
    for (const landmark of ["body", "header", "main", "table"]) {
      const got = JSON.stringify(alone[landmark]);
      const want = JSON.stringify(expected[landmark]);
      if (got !== want) fail(`${label}: ${landmark} is styled ${got}, published ${want}`);
    }
    await page.screenshot({ path: path.join(shots, `archive-alone-${name}-${width}.png`), fullPage: true });
    await live.close();
    await page.close();
    checked += 1;
  }
  await published.close();
  await context.close();
}
await browser.close();
await rm(unpacked, { recursive: true, force: true });
console.log(`archive-alone: ${year} opened from ${tarball}: ${checked} pages checked, ${failures.length} failed`);
if (failures.length) process.exit(1);
