// Site search: a substring scan over the index that the build writes to
// search/index.js (window.ecoscoreSearch). Chinese has no spaces between
// words, so every space-separated part of the query must occur somewhere in
// an entry's title or terms; no segmentation is needed.
(function () {
  "use strict";
  var LIMIT = 50;
  function normalise(text) { return text.toLowerCase().replace(/\s+/g, " ").trim(); }
  function search(entries, query) {
    var parts = normalise(query).split(" ").filter(Boolean);
    if (parts.length === 0) { return []; }
    var hits = [];
    entries.forEach(function (entry, order) {
      var title = normalise(entry.title);
      var text = title + " " + normalise(entry.terms);
      if (parts.every(function (p) { return text.indexOf(p) !== -1; })) {
        // Matches in the title first, then the index's own order.
        var inTitle = parts.every(function (p) { return title.indexOf(p) !== -1; });
        hits.push({ entry: entry, rank: inTitle ? 0 : 1, order: order });
      }
    });
    hits.sort(function (a, b) { return a.rank - b.rank || a.order - b.order; });
    return hits.map(function (h) { return h.entry; });
  }
  function show(list, status, root, entries, query) {
    list.textContent = "";
    if (!normalise(query)) { status.textContent = ""; return; }
    var found = search(entries, query);
    status.textContent = found.length === 0 ? "没有找到与“" + query + "”相关的内容。"
      : "找到 " + found.length + " 条结果" + (found.length > LIMIT ? "，显示前 " + LIMIT + " 条" : "") + "。";
    found.slice(0, LIMIT).forEach(function (entry) {
      var item = document.createElement("li");
      var kind = document.createElement("span");
      kind.className = "search-kind";
      kind.textContent = entry.kind;
      var link = document.createElement("a");
      link.href = root + entry.href;
      link.textContent = entry.title;
      item.appendChild(kind);
      item.appendChild(link);
      list.appendChild(item);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.getElementById("search-q");
    var list = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    if (!input || !list || !status) { return; }
    var entries = window.ecoscoreSearch || [];
    var root = list.getAttribute("data-root") || "";
    var query = new URLSearchParams(window.location.search).get("q") || "";
    input.value = query;
    show(list, status, root, entries, query);
    input.addEventListener("input", function () { show(list, status, root, entries, input.value); });
  });
})();
