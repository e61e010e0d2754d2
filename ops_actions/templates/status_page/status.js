// Progressive enhancement only: the page reads the same without it. Each <time> gets a "(5 min
// ago)" after it, computed in the reader's browser and refreshed every minute.
(function () {
  "use strict";
  var format = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  var units = [["day", 86400], ["hour", 3600], ["minute", 60]];

  function ago(seconds) {
    for (var i = 0; i < units.length; i++) {
      if (seconds >= units[i][1]) {
        return format.format(-Math.floor(seconds / units[i][1]), units[i][0]);
      }
    }
    return "just now";
  }

  function refresh() {
    var now = Date.now();
    document.querySelectorAll("time[datetime]").forEach(function (element) {
      var then = Date.parse(element.getAttribute("datetime"));
      if (isNaN(then)) {
        return;
      }
      var note = element.nextElementSibling;
      if (!note || !note.classList.contains("ago")) {
        note = document.createElement("span");
        note.className = "ago";
        element.after(note);
      }
      note.textContent = " (" + ago(Math.max(0, (now - then) / 1000)) + ")";
    });
  }

  refresh();
  window.setInterval(refresh, 60000);
})();
