// Tocsin's web console: the page works without this script; with it, the parts of a page marked
// data-live refresh in place every few seconds, times read in the viewer's own time zone, and
// buttons marked data-confirm ask first.
(function () {
  "use strict";
  var REFRESH_MS = 4000;

  function localTimes(root) {
    var nodes = root.querySelectorAll("time[data-local]");
    for (var i = 0; i < nodes.length; i++) {
      var when = new Date(nodes[i].getAttribute("datetime"));
      if (!isNaN(when.getTime())) {
        nodes[i].textContent = when.toLocaleString(undefined, {
          weekday: "short", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit"
        });
        nodes[i].title = nodes[i].getAttribute("datetime");
      }
    }
  }

  // A form's "those times are in" choice starts at the viewer's own time zone.
  function browserZone() {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!zone) return;
    var selects = document.querySelectorAll("select[data-browser-zone]");
    for (var i = 0; i < selects.length; i++) {
      var found = false;
      for (var j = 0; j < selects[i].options.length; j++) {
        if (selects[i].options[j].value === zone) { found = true; }
      }
      if (!found) { selects[i].add(new Option(zone + " (yours)", zone), 0); }
      selects[i].value = zone;
    }
  }

  function editing() {
    var active = document.activeElement;
    return active && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName) && active.value !== "";
  }

  function refresh() {
    var live = document.querySelectorAll("[data-live]");
    if (live.length === 0 || document.hidden || editing()) return;
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        // The session ended (expired, signed out elsewhere, token revoked): say so by going where
        // the server sends a browser without one, rather than showing a page that no longer moves.
        if (response.redirected || response.status === 401 || response.status === 403) {
          window.location.reload();
          return null;
        }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html === null) return;
        var next = new DOMParser().parseFromString(html, "text/html");
        for (var i = 0; i < live.length; i++) {
          var replacement = next.getElementById(live[i].id);
          if (!replacement) continue;
          // Compared as shown (times in the viewer's zone), so an unchanged part is left alone:
          // its open details stay open and screen readers hear nothing.
          localTimes(replacement);
          if (replacement.innerHTML !== live[i].innerHTML) {
            live[i].innerHTML = replacement.innerHTML;
          }
        }
      })
      .catch(function () { /* the next turn tries again */ });
  }

  document.addEventListener("submit", function (event) {
    var button = event.submitter || event.target.querySelector("button[data-confirm]");
    var question = button && button.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", function () {
    localTimes(document);
    browserZone();
    document.documentElement.setAttribute("data-script", "on");
    window.setInterval(refresh, REFRESH_MS);
  });
})();
