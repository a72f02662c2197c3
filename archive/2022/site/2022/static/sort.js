// Optional sorting of tables marked data-sortable (or inside an element
// marked data-sortable-tables, as a page of a paged ranking is): a button in
// each column header sorts the rows by that column (numbers as numbers),
// again to reverse. Without JavaScript the table keeps the order the build wrote.
(function () {
  "use strict";
  function key(cell) {
    var text = cell ? cell.textContent.trim() : "";
    var number = parseFloat(text);
    return isNaN(number) || !/^-?[\d.]/.test(text) ? { n: null, t: text } : { n: number, t: text };
  }
  function compare(a, b) {
    if (a.n !== null && b.n !== null) { return a.n - b.n; }
    if (a.n !== null) { return -1; }
    if (b.n !== null) { return 1; }
    return a.t.localeCompare(b.t, "zh-CN");
  }
  function sortBy(table, column, button) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var descending = button.getAttribute("aria-sort") === "ascending";
    rows.sort(function (x, y) {
      var order = compare(key(x.cells[column]), key(y.cells[column]));
      return descending ? -order : order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) { th.removeAttribute("aria-sort"); });
    button.parentNode.setAttribute("aria-sort", descending ? "descending" : "ascending");
    button.setAttribute("aria-sort", descending ? "descending" : "ascending");
  }
  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable], [data-sortable-tables] table"), function (table) {
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "sort-button";
        button.textContent = th.textContent;
        th.textContent = "";
        th.appendChild(button);
        button.addEventListener("click", function () { sortBy(table, column, button); });
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
