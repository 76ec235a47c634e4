// Live updates without a build step: every element with data-refresh is re-fetched
// periodically and replaced when its HTML changed. Forms are left alone while typing.
(function () {
  "use strict";
  function refresh(element) {
    fetch(element.dataset.refresh, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.redirected || !response.ok) return null;
        return response.text();
      })
      .then(function (html) {
        if (html === null || html === element.dataset.last) return;
        element.dataset.last = html;
        var atBottom = element.scrollHeight - element.scrollTop - element.clientHeight < 40;
        element.innerHTML = html;
        var log = element.querySelector(".transcript");
        if (log && atBottom) log.scrollTop = log.scrollHeight;
      })
      .catch(function () { /* offline for a moment: the next round catches up */ });
  }
  document.querySelectorAll("[data-refresh]").forEach(function (element) {
    var seconds = Number(element.dataset.interval || "4");
    // Pushed by the live stream (live.js) while it is open: polled only without it.
    setInterval(function () { if (element.dataset.live !== "on") refresh(element); }, seconds * 1000);
  });
  document.querySelectorAll(".transcript").forEach(function (log) { log.scrollTop = log.scrollHeight; });
  // Canned replies: pick one to put its text in the reply box (still editable).
  var picker = document.getElementById("canned");
  var box = document.getElementById("reply-text");
  if (picker && box) {
    picker.addEventListener("change", function () {
      if (picker.value) { box.value = picker.value; box.focus(); }
      picker.selectedIndex = 0;
    });
  }
})();
