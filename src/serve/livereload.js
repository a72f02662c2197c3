// ecoscore serve: reload this page when the site has been rebuilt.
// Served as a file (not inline) so a Content-Security-Policy can forbid inline script.
(function () {
  "use strict";
  var script = document.querySelector("script[data-ecoscore-version]");
  var version = script ? script.getAttribute("data-ecoscore-version") : null;
  var source = new EventSource("/__ecoscore/events");
  source.onmessage = function (event) {
    if (event.data !== version) {
      source.close();
      window.location.reload();
    }
  };
})();
