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
  // The discussion's clock: minutes used against minutes allotted, kept current between reloads.
  function tick() {
    document.querySelectorAll("[data-started]").forEach(function (node) {
      var started = Date.parse(node.getAttribute("data-started"));
      if (!started) { return; }
      var used = Math.floor((Date.now() - started) / 60000), allotted = Number(node.getAttribute("data-allotted"));
      node.textContent = used + " of " + allotted + " min";
      node.classList.toggle("text-danger", used > allotted);
      node.classList.toggle("fw-semibold", used > allotted);
    });
  }
  window.setInterval(function () { refresh(); tick(); }, 2000);
  refresh();
})();
