// 适老化 toggle: larger text and higher contrast, remembered in localStorage.
// Loaded in <head> so the class is on <html> before the page paints; the
// button stays hidden (and the page unchanged) where script does not run.
(function () {
  "use strict";
  var KEY = "ecoscore-access";
  var root = document.documentElement;
  function stored() {
    try { return window.localStorage.getItem(KEY) === "on"; } catch (e) { return false; }
  }
  function apply(on) {
    root.classList.toggle("access", on);
    var button = document.getElementById("access-toggle");
    if (button) { button.setAttribute("aria-pressed", on ? "true" : "false"); }
  }
  apply(stored());
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("access-toggle");
    if (!button) { return; }
    button.hidden = false;
    apply(stored());
    button.addEventListener("click", function () {
      var on = !root.classList.contains("access");
      try { window.localStorage.setItem(KEY, on ? "on" : "off"); } catch (e) { /* private mode: this page only */ }
      apply(on);
    });
  });
})();
