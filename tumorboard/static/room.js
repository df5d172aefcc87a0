// Every room screen in step: poll the room's state every 1.5 s with If-None-Match (a 304 while nothing changed),
// and put what changed on the page. Without JavaScript the pages show the same on reload.
(function () {
  "use strict";
  var root = document.querySelector("[data-room-state]");
  if (!root) { return; }
  var url = root.getAttribute("data-room-state");
  var shownCase = root.getAttribute("data-case");
  var shownStatus = root.getAttribute("data-status");
  var shownPlan = root.getAttribute("data-plan-version");
  // Every 1.5 s: a change reaches every screen within 2 s with the server's headroom kept (docs/performance.md).
  var POLL_MS = 1500;
  var etag = null, failures = 0, timer = null;
  var follow = document.querySelector("[data-follow]");
  var FOLLOW_KEY = "tumorboard.follow-chair";

  if (follow) {
    follow.checked = window.localStorage.getItem(FOLLOW_KEY) !== "no";
    follow.addEventListener("change", function () {
      window.localStorage.setItem(FOLLOW_KEY, follow.checked ? "yes" : "no");
      if (follow.checked) { etag = null; poll(); }
    });
    // Going to another case by hand stops following the chair (until the box is ticked again).
    document.querySelectorAll("a[rel=prev], a[rel=next]").forEach(function (link) {
      link.addEventListener("click", function () { window.localStorage.setItem(FOLLOW_KEY, "no"); });
    });
  }

  // A banner that says the screen is out of step, and says when it is back.
  var banner = document.createElement("div");
  banner.className = "alert alert-danger py-2 tb-connection";
  banner.setAttribute("role", "status");
  banner.hidden = true;
  document.body.appendChild(banner);
  function connection(ok) {
    if (ok) {
      if (!banner.hidden && failures) {
        banner.className = "alert alert-success py-2 tb-connection";
        banner.textContent = "Connected again: this screen is up to date.";
        window.setTimeout(function () { banner.hidden = true; }, 3000);
      }
      failures = 0;
      return;
    }
    failures += 1;
    if (failures >= 2) {  // one missed poll is noise; two is a lost connection
      banner.className = "alert alert-danger py-2 tb-connection";
      banner.textContent = "Connection lost: this screen may be out of date. Trying again…";
      banner.hidden = false;
    }
  }

  function show(data) {
    var fragments = data.fragments || {};
    Object.keys(fragments).forEach(function (name) {
      document.querySelectorAll("[data-fragment='" + name + "']").forEach(function (node) {
        node.innerHTML = fragments[name];
      });
    });
    Object.keys(data.statuses || {}).forEach(function (id) {
      var badge = document.querySelector("[data-status-of='" + id + "']");
      if (badge) { badge.textContent = data.statuses[id]; }
    });
    var current = data.current, now = document.querySelector("[data-now]");
    if (now) {
      var elsewhere = current && String(current.id) !== shownCase;
      if (elsewhere && follow && follow.checked) { window.location.assign(current.url); return; }
      now.hidden = !elsewhere;
      if (elsewhere) {
        now.querySelector("[data-now-link]").setAttribute("href", current.url);
        var label = now.querySelector("[data-now-label]");
        if (label) { label.textContent = current.label; }
      }
    }
    var item = data["case"];
    if (!item) { return; }
    // A case that opened, closed or got its first plan shows other controls: load them (nothing typed is lost then:
    // a closed case takes no vote, and there was nothing to vote on before the plan).
    if (item.status !== shownStatus || (!shownPlan && item.plan_version)) { window.location.reload(); return; }
    Object.keys(item.tally).forEach(function (key) {
      document.querySelectorAll("[data-tally='" + key + "']").forEach(function (node) {
        node.textContent = String(item.tally[key]);
      });
    });
    var mine = document.querySelector("[data-my-vote]");
    if (mine && item.my_vote) { mine.textContent = item.my_vote; }
    // The plan was changed on another screen: say so with its words, and keep this page from voting on words it
    // does not show (the server refuses such a vote too).
    if (shownPlan && item.plan_version && String(item.plan_version) !== shownPlan) {
      var changed = document.querySelector("[data-plan-changed]");
      changed.querySelector("[data-plan-text]").textContent = "“" + item.plan_text + "” (version " + item.plan_version + ").";
      changed.hidden = false;
      document.querySelectorAll("[data-vote-form] button[type=submit]").forEach(function (b) { b.disabled = true; });
    }
  }

  function poll() {
    window.clearTimeout(timer);
    var headers = { "Accept": "application/json" };
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: headers })
      .then(function (response) {
        // Signed out after being idle: reloading shows the sign-in page and says why.
        if (response.status === 401 || response.status === 403) { window.location.reload(); return null; }
        if (response.status === 304) { connection(true); return null; }
        if (!response.ok) { throw new Error(String(response.status)); }
        etag = response.headers.get("ETag");
        connection(true);
        return response.json();
      })
      .then(function (data) { if (data) { show(data); } })
      .catch(function () { connection(false); })
      .then(function () { timer = window.setTimeout(poll, document.hidden ? 5000 : POLL_MS); });
  }
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { poll(); } });

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
  window.setInterval(tick, 5000);
  poll();
})();
