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
  // SMS parts as the consultant types (the server counts the same: bot/inbox/reply_length.py).
  // The SMS goes in GSM-7: plain quotes and dashes for curly ones, accents outside the
  // alphabet dropped, emoji removed (told below the box).
  var counter = document.getElementById("sms-counter");
  var send = document.getElementById("send-reply");
  if (counter && box) {
    var basic = counter.dataset.basic + "\n\r";
    var extension = counter.dataset.extension;
    var max = Number(counter.dataset.max);
    var plain = { "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
      "\u2014": "-", "\u2026": "...", "\u00a0": " ", "\u2022": "-", "\u00b7": "-", "\t": " " };
    var septets = function (ch) {
      if (basic.indexOf(ch) >= 0) return 1;
      if (extension.indexOf(ch) >= 0) return 2;
      return -1;
    };
    var count = function (text) {
      var length = 0, dropped = false;
      Array.from(text.trim()).forEach(function (ch) {
        var cost = septets(ch);
        if (cost < 0 && plain[ch]) { cost = plain[ch].length; }
        if (cost < 0) {
          var base = ch.normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
          cost = 0;
          Array.from(base).forEach(function (b) { var c = septets(b); if (c > 0) cost += c; });
          if (cost === 0) dropped = true;
        }
        length += cost;
      });
      var parts = length <= 160 ? 1 : Math.ceil(length / 153);
      return { parts: length ? parts : 0, chars: length, dropped: dropped };
    };
    var update = function () {
      var c = count(box.value);
      var over = c.parts > max;
      var text = (over ? counter.dataset.tooLong : counter.dataset.counter)
        .replace("{parts}", c.parts).replace("{chars}", c.chars);
      counter.textContent = text + (c.dropped ? " " + counter.dataset.dropped : "");
      counter.classList.toggle("over", over);
      if (send) send.disabled = over;
    };
    box.addEventListener("input", update);
    if (picker) picker.addEventListener("change", update);
    update();
  }
})();
