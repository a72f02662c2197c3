// Site search: a substring scan over the index that the build writes to
// search/index.js (window.ecoscoreSearch: units, years, bulletins) and over
// one shard of results per year (search/results-<year>.js), loaded as a
// script only when a query needs it, so the page stays light at national
// scale and works from file:// (no fetch). Chinese has no spaces between
// words, so every space-separated part of the query must occur somewhere in
// an entry's title or terms; no segmentation is needed.
(function () {
  "use strict";
  var LIMIT = 50;
  // A site with fewer results than this loads every shard at once.
  var EAGER = 2000;
  function normalise(text) { return text.toLowerCase().replace(/\s+/g, " ").trim(); }
  function parts(query) { return normalise(query).split(" ").filter(Boolean); }
  function matches(entries, words, base, hits) {
    entries.forEach(function (entry, i) {
      var title = normalise(entry.title);
      var text = title + " " + normalise(entry.terms);
      if (words.every(function (p) { return text.indexOf(p) !== -1; })) {
        // Matches in the title first, then the index's own order.
        var inTitle = words.every(function (p) { return title.indexOf(p) !== -1; });
        hits.push({ entry: entry, rank: inTitle ? 0 : 1, order: base + i });
      }
    });
  }
  // The shards a query needs: the years it names, else every year (newest first).
  function wanted(shards, words) {
    var named = shards.filter(function (s) {
      return words.some(function (p) { return p.indexOf(String(s.year)) !== -1; });
    });
    return named.length > 0 ? named : shards;
  }
  function loaded(shard) { return (window.ecoscoreSearchResults || {})[shard.year]; }
  function load(root, shard, done) {
    if (loaded(shard) || shard.loading) { return; }
    shard.loading = true;
    var script = document.createElement("script");
    script.src = root + shard.href;
    script.onload = script.onerror = function () { shard.loading = false; shard.failed = !loaded(shard); done(); };
    document.head.appendChild(script);
  }
  function show(list, status, root, index, query) {
    list.textContent = "";
    var words = parts(query);
    if (words.length === 0) { status.textContent = ""; return; }
    var hits = [];
    matches(index.entries, words, 0, hits);
    var pending = false;
    var base = index.entries.length;
    wanted(index.shards, words).forEach(function (shard) {
      var results = loaded(shard);
      if (results) { matches(results, words, base, hits); }
      // Newest first: an older year is loaded only while hits are short.
      else if (!shard.failed && !pending && hits.length < LIMIT) {
        pending = true;
        load(root, shard, function () { show(list, status, root, index, document.getElementById("search-q").value); });
      }
      base += shard.entries;
    });
    hits.sort(function (a, b) { return a.rank - b.rank || a.order - b.order; });
    var found = hits.map(function (h) { return h.entry; });
    status.textContent = found.length === 0 ? (pending ? "正在搜索……" : "没有找到与“" + query + "”相关的内容。")
      : "找到 " + found.length + " 条结果" + (found.length > LIMIT ? "，显示前 " + LIMIT + " 条" : "") + (pending ? "，正在搜索更多……" : "。");
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
    var index = window.ecoscoreSearch || { entries: [], shards: [] };
    var root = list.getAttribute("data-root") || "";
    var query = new URLSearchParams(window.location.search).get("q") || "";
    var refresh = function () { show(list, status, root, index, input.value); };
    input.value = query;
    var total = index.shards.reduce(function (n, s) { return n + s.entries; }, 0);
    if (total <= EAGER) { index.shards.forEach(function (s) { load(root, s, refresh); }); }
    refresh();
    input.addEventListener("input", refresh);
  });
})();
