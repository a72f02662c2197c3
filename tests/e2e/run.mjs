// End-to-end checks of a built site in headless Chromium:
//   node run.mjs <built site folder> <screenshot folder>
// Serves the folder under the site's path (/kaohe/, as base_url has it), then for
// every page type: no console error, no failed request, nothing loaded from
// outside the site; axe-core at WCAG 2.1 AA; search; the 适老化 toggle; the
// pages with JavaScript off; tables that break no word and hide no column's
// meaning (tables.mjs); screenshots at 375 and 1280 px.
import { createServer } from "node:http";
import { readFile, mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { chromium } from "playwright-core";
import { tableProblems } from "./tables.mjs";

const require = createRequire(import.meta.url);
const axeSource = await readFile(require.resolve("axe-core/axe.min.js"), "utf8");
const [site, shots] = process.argv.slice(2);
if (!site || !shots) {
  console.error("usage: node run.mjs <built site folder> <screenshot folder>");
  process.exit(2);
}
const BASE = "/kaohe/";
const TYPES = {
  ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript",
  ".svg": "image/svg+xml", ".json": "application/json", ".csv": "text/csv", ".xml": "application/xml",
  ".pdf": "application/pdf",
};

const server = createServer(async (req, res) => {
  const url = new URL(req.url, "http://localhost");
  let file = decodeURIComponent(url.pathname);
  if (!file.startsWith(BASE)) { res.writeHead(404); res.end(); return; }
  file = file.slice(BASE.length);
  if (file === "" || file.endsWith("/")) file += "index.html";
  const full = path.join(site, path.normalize(file));
  try {
    const body = await readFile(full);
    res.writeHead(200, { "content-type": TYPES[path.extname(full)] || "application/octet-stream" });
    res.end(body);
  } catch {
    res.writeHead(404, { "content-type": TYPES[".html"] });
    res.end(await readFile(path.join(site, "404.html")).catch(() => ""));
  }
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const origin = `http://127.0.0.1:${server.address().port}`;
const root = origin + BASE;

const PAGES = [
  ["index", "index.html", true],
  ["year", "2024/index.html", true],
  ["bulletin", "2024/bulletin/index.html", true],
  ["scorecard", "2024/regions/changchun/index.html", true],
  ["unit", "regions/changchun/index.html", true],
  ["archive", "archive/index.html", false],
  ["page", "pages/about/index.html", false],
  ["search", "search/index.html?q=%E9%95%BF%E6%98%A5", false],
  ["archived-year", "2022/index.html", false],
  ["not-found", "no/such/page.html", false],
];

const failures = [];
const fail = (what) => { failures.push(what); console.error(`FAIL ${what}`); };

const browser = await chromium.launch({
  executablePath: process.env.ECOSCORE_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});

// Pages opened and checked, for the closing "N passed, N failed" line.
let opened = 0;

async function open(context, name, href) {
  opened += 1;
  const page = await context.newPage();
  page.on("console", (m) => {
    // The 404 page is answered with status 404, which Chromium logs as an error.
    const expected404 = name === "not-found" && m.location().url === root + href && m.text().includes("404");
    if (m.type() === "error" && !expected404) fail(`${name}: console error: ${m.text()}`);
  });
  page.on("pageerror", (e) => fail(`${name}: script error: ${e.message}`));
  page.on("requestfailed", (r) => fail(`${name}: request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on("response", (r) => {
    const expected404 = name === "not-found" && r.request().isNavigationRequest();
    if (r.status() >= 400 && !expected404) fail(`${name}: ${r.status()} for ${r.url()}`);
  });
  await page.route("**/*", (route) => {
    if (!route.request().url().startsWith(origin)) {
      fail(`${name}: request leaves the site: ${route.request().url()}`);
      return route.abort();
    }
    return route.continue();
  });
  await page.goto(root + href, { waitUntil: "load" });
  return page;
}

await mkdir(shots, { recursive: true });
for (const width of [375, 1280]) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  for (const [name, href, axe] of PAGES) {
    const page = await open(context, name, href);
    // Reflow: nothing wider than the viewport (WCAG 1.4.10 at 320 CSS px ≈ the 375 run).
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 1) fail(`${name} @${width}px: page scrolls sideways by ${overflow}px`);
    // Chart text a phone can read: for every <text> of every chart (inline
    // <svg> or the chart file an <img> shows), font size × the chart's scale
    // (rendered width / viewBox width) ≥ 12 px.
    if (width === 375) {
      const labels = await page.evaluate(async () => {
        const parsed = [];
        for (const svg of document.querySelectorAll("svg")) {
          parsed.push([svg.getAttribute("aria-labelledby") || "svg", svg, svg.getBoundingClientRect().width]);
        }
        for (const img of document.querySelectorAll("img[src$='.svg']")) {
          const text = await (await fetch(img.src)).text();
          const svg = new DOMParser().parseFromString(text, "image/svg+xml").documentElement;
          parsed.push([img.getAttribute("src"), svg, img.getBoundingClientRect().width]);
        }
        return parsed.flatMap(([name, svg, shown]) => {
          const scale = shown / svg.viewBox.baseVal.width;
          return [...svg.querySelectorAll("text")].map((t) => {
            let size = null;
            for (let e = t; e && size === null; e = e.parentElement) size = e.getAttribute("font-size");
            return [name, t.textContent, parseFloat(size ?? "16") * scale];
          });
        });
      });
      const small = labels.filter(([, , px]) => px < 12);
      if (labels.length) {
        const least = Math.min(...labels.map(([, , px]) => px));
        console.log(`chart text ${name} @375px: ${labels.length} labels, smallest ${least.toFixed(1)}px, ${small.length} under 12px`);
      }
      if (small.length) {
        fail(`${name} @375px: ${small.length} chart labels under 12px: ${small.slice(0, 8).map(([c, t, px]) => `${c} 「${t}」 ${px.toFixed(1)}px`).join("; ")}`);
      }
    }
    // Tables: no word broken inside a cell, wide tables in a labelled scroll
    // region, no hidden column whose text is shown nowhere else (tables.mjs).
    for (const problem of await page.evaluate(tableProblems)) fail(`${name} @${width}px: ${problem}`);
    const h1 = await page.locator("h1").count();
    if (h1 !== 1) fail(`${name}: ${h1} h1 elements`);
    if (axe && width === 1280) {
      await page.evaluate(axeSource);
      const result = await page.evaluate(() =>
        window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
      console.log(`axe ${name}: ${result.violations.length} violations, ${result.passes.length} rules passed`);
      for (const v of result.violations) {
        fail(`${name}: axe ${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ")}`);
      }
    }
    await page.screenshot({ path: path.join(shots, `${name}-${width}.png`), fullPage: true });
    await page.close();
  }
  await context.close();
}

// Search: typing 长春 lists 长春市; 不合格 and 2023 find their entries.
{
  const context = await browser.newContext();
  const page = await open(context, "search", "search/index.html");
  for (const [query, expected] of [["长春", "长春市"], ["不合格", "不合格"], ["2023", "2023年度考核结果"]]) {
    await page.fill("#search-q", query);
    const titles = await page.locator("#search-results a").allTextContents();
    if (!titles.some((t) => t.includes(expected))) fail(`search "${query}": no result with ${expected} in ${JSON.stringify(titles.slice(0, 5))}`);
  }
  const first = page.locator("#search-results a").first();
  await first.click();
  await page.waitForLoadState("load");
  if (!page.url().startsWith(root)) fail(`search result leads off the site: ${page.url()}`);
  await context.close();
}

// 适老化 toggle: shown with script, switches a class on <html>, remembered on the next page.
{
  const context = await browser.newContext();
  const page = await open(context, "toggle", "index.html");
  const toggle = page.locator("#access-toggle");
  if (!(await toggle.isVisible())) fail("toggle: not visible with JavaScript on");
  await toggle.click();
  if (!(await page.evaluate(() => document.documentElement.classList.contains("access")))) fail("toggle: no class on <html>");
  if ((await toggle.getAttribute("aria-pressed")) !== "true") fail("toggle: aria-pressed not true");
  await page.goto(root + "2024/index.html");
  if (!(await page.evaluate(() => document.documentElement.classList.contains("access")))) fail("toggle: not remembered");
  await page.screenshot({ path: path.join(shots, "year-access-1280.png"), fullPage: true });
  await context.close();
}

// JavaScript off: pages still read; the toggle stays hidden.
{
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await open(context, "no-js", "2024/regions/changchun/index.html");
  if (await page.locator("#access-toggle").isVisible()) fail("no-js: toggle visible without script");
  if ((await page.locator("main table").count()) === 0) fail("no-js: scorecard tables missing");
  await context.close();
}

await browser.close();
server.close();
console.log(`screenshots in ${shots}`);
console.log(`e2e: ${opened - Math.min(opened, failures.length)} passed, ${failures.length} failed`);
if (failures.length) {
  process.exit(1);
}
