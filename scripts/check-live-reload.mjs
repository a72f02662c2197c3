// Reads the page headless Chromium has open (over the DevTools protocol),
// edits one unit's result in the project, and checks that the page reloads
// by itself and shows the new score. Used by check-live-reload.sh.
import { readFileSync, writeFileSync } from "node:fs";

const [port, project] = process.argv.slice(2);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function openPage() {
  for (let i = 0; i < 100; i++) {
    try {
      const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
      const page = targets.find((t) => t.type === "page" && t.url.includes("/kaohe/"));
      if (page) return page;
    } catch {
      // Chromium is still starting.
    }
    await sleep(100);
  }
  throw new Error("no page opened by ecoscore serve --open");
}

const page = await openPage();
const socket = new WebSocket(page.webSocketDebuggerUrl);
await new Promise((resolve, reject) => {
  socket.onopen = resolve;
  socket.onerror = reject;
});
let nextId = 1;
const pending = new Map();
socket.onmessage = (message) => {
  const data = JSON.parse(message.data);
  if (pending.has(data.id)) {
    pending.get(data.id)(data.result);
    pending.delete(data.id);
  }
};
function evaluate(expression) {
  const id = nextId++;
  socket.send(JSON.stringify({ id, method: "Runtime.evaluate", params: { expression, returnByValue: true } }));
  return new Promise((resolve) => pending.set(id, (result) => resolve(result?.result?.value)));
}
const state = () =>
  evaluate(`JSON.stringify({
    loadedAt: performance.timeOrigin,
    ready: document.readyState,
    version: document.querySelector("script[data-ecoscore-version]")?.getAttribute("data-ecoscore-version"),
    text: document.body ? document.body.innerText : ""
  })`).then((s) => (s ? JSON.parse(s) : null));

let before = null;
for (let i = 0; i < 100 && !(before && before.ready === "complete" && before.text.includes("99.38")); i++) {
  await sleep(100);
  before = await state();
}
if (!before || !before.text.includes("99.38")) throw new Error("the page does not show 长春市 99.38 before the edit");
console.log(`before: ${page.url} shows 99.38 (version ${before.version})`);
await sleep(1000); // let the page's live-reload stream connect

const results = `${project}/data/2024/results/changchun.yaml`;
const text = readFileSync(results, "utf8");
if (!text.includes("satisfaction: 89.2\n")) throw new Error("unexpected starter data");
const editedAt = Date.now();
writeFileSync(results, text.replace("satisfaction: 89.2\n", "satisfaction: 80.2\n"));
console.log("edited data/2024/results/changchun.yaml: satisfaction 89.2 -> 80.2");

for (;;) {
  await sleep(20);
  const after = await state().catch(() => null);
  if (after && after.loadedAt !== before.loadedAt && after.text.includes("98.03")) {
    console.log(
      `after: the page reloaded by itself (version ${before.version} -> ${after.version}) ` +
        `and shows 98.03, ${Date.now() - editedAt} ms after the edit`
    );
    break;
  }
  if (Date.now() - editedAt > 10000) throw new Error("the page did not show the new score within 10 s");
}
socket.close();
