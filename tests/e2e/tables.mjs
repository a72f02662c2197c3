// Tables as a phone and a desktop show them (issue 18, point 3), checked in
// the page: no cell breaks inside a word, a table wider than its container
// sits in a labelled scroll region, and a column hidden on a narrow screen
// has its text shown elsewhere in the row (or, for a bare figure, on the page
// the row links to).
export function tableProblems() {
  // A line may end after these (CJK and Latin punctuation) or begin before these.
  const AFTER = new Set([..."，、。；：！？）」』》〉】,.;:!?)/-—～·"]);
  const BEFORE = new Set([..."（「『《〈【(—～"]);
  const problems = [];
  const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const label = (table) => (table.caption?.textContent || table.className || "table").trim().slice(0, 30);

  for (const table of document.querySelectorAll("main table")) {
    if (!visible(table) || table.closest("details:not([open])")) continue; // a chart's figures until opened
    const name = label(table);
    // Wider than its container: only inside a scroll region a keyboard and a
    // screen reader can find (role, label, tabindex).
    const wrap = table.parentElement;
    if (table.getBoundingClientRect().width > wrap.clientWidth + 1) {
      const style = getComputedStyle(wrap);
      const scrolls = ["auto", "scroll"].includes(style.overflowX);
      const labelled = wrap.getAttribute("role") === "region" && (wrap.hasAttribute("aria-label") || wrap.hasAttribute("aria-labelledby")) && wrap.getAttribute("tabindex") === "0";
      if (!scrolls || !labelled) problems.push(`table 「${name}」 is wider than its container without a labelled scroll region`);
    }
    for (const row of table.rows) {
      // A hidden header goes with its column: the cells below are what must show.
      const header = row.parentElement.tagName === "THEAD";
      const shown = row.innerText;
      for (const cell of row.cells) {
        const text = cell.textContent.replace(/\s+/g, "");
        if (!visible(cell)) {
          if (!text || header) continue;
          const figure = /^[-+\d.%]+$/.test(text) && row.querySelector("a[href]");
          if (!shown.replace(/\s+/g, "").includes(text) && !figure) {
            problems.push(`table 「${name}」 hides 「${text}」 (column ${cell.cellIndex + 1}) without showing it elsewhere in the row`);
          }
          continue;
        }
        problems.push(...cellBreaks(cell, name));
      }
    }
  }
  return problems;

  // Every line break inside `cell` that is not at a space, a <wbr>, after or
  // before punctuation, or between two boxes (badges, blocks).
  function cellBreaks(cell, name) {
    const out = [];
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    let prev = null; // { ch, rect, box }
    let gap = false; // a space or a <wbr> since prev
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.nodeType === Node.ELEMENT_NODE) {
        if (node.tagName === "WBR" || node.tagName === "BR") gap = true;
        continue;
      }
      if (node.parentElement.closest("code")) { prev = null; continue; } // digests break anywhere
      const box = node.parentElement.closest("span.grade, span.flag, span.tag, .phone-only, .unit, .reason, a, td, th");
      const chars = [...node.data];
      let offset = 0;
      for (const ch of chars) {
        const start = offset;
        offset += ch.length;
        if (/\s/.test(ch)) { gap = true; continue; }
        const range = document.createRange();
        range.setStart(node, start);
        range.setEnd(node, offset);
        const rect = range.getClientRects()[0];
        if (!rect) continue;
        if (prev && rect.top > prev.rect.top + prev.rect.height / 2) {
          const display = (el) => getComputedStyle(el).display;
          const betweenBoxes = prev.box !== box && (display(prev.box) !== "inline" || display(box) !== "inline");
          if (!gap && !AFTER.has(prev.ch) && !BEFORE.has(ch) && !betweenBoxes) {
            out.push(`table 「${name}」: 「${cell.textContent.trim().slice(0, 24)}」 breaks inside a word, between 「${prev.ch}」 and 「${ch}」`);
          }
        }
        prev = { ch, rect, box };
        gap = false;
      }
    }
    return out;
  }
}
