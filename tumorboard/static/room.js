// Live tally: poll the vote counts every two seconds. Without JavaScript the page shows them on reload.
(function () {
  "use strict";
  var box = document.querySelector("[data-tally-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-tally-url");
  var wasClosed = null;
  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        // Signed out after being idle: reloading shows the sign-in page and says why.
        if (response.status === 401) { window.location.reload(); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data) { return; }
        box.querySelectorAll("[data-tally]").forEach(function (node) {
          var key = node.getAttribute("data-tally");
          if (key in data) { node.textContent = String(data[key]); }
        });
        if (wasClosed === false && data.closed) { window.location.reload(); }
        // The plan was changed on another screen: say so, and keep this page from voting on words it does not show.
        var shown = box.getAttribute("data-plan-version");
        if (shown && data.plan_version && String(data.plan_version) !== shown) {
          box.querySelector("[data-plan-changed]").hidden = false;
          document.querySelectorAll("[data-vote-form] button[type=submit]").forEach(function (b) { b.disabled = true; });
        }
        wasClosed = data.closed;
      })
      .catch(function () { /* the next poll tries again */ });
  }
  window.setInterval(refresh, 2000);
  refresh();
})();
