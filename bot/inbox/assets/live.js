// The inbox, live: one Server-Sent Events stream per page (/inbox/live, routes/live.py) pushes
// the page's live parts (the elements with data-refresh) when they change, and the alerts:
// the waiting count in the tab title, a tone (WebAudio, generated: no sound file) and a
// browser notification for a new chat, and for a crisis a banner, tone and notification that
// repeat until someone takes it. Sound and notifications start only from the button (the
// browser asks for permission then, never on load).
//
// Where EventSource fails, inbox.js's polling carries on: an element is polled unless
// data-live="on".
(function () {
  "use strict";
  var alerts = document.getElementById("alerts");
  if (!alerts || !("EventSource" in window)) return;
  var toggle = document.getElementById("alerts-toggle");
  var statusLine = document.getElementById("alerts-status");
  var crisisBanner = document.getElementById("crisis-alert");
  var live = Array.prototype.slice.call(document.querySelectorAll("[data-refresh]"));
  var baseTitle = document.title;
  var preference = "borgerchat-inbox-alerts";
  var CRISIS_REPEAT_MS = 15000;
  var known = null; // waiting ids already seen: only new ones alert
  var crisisTimer = null;
  var crisisIds = [];
  var audio = null;

  // -- sound and notifications -----------------------------------------------------------
  function on() { return window.localStorage.getItem(preference) === "on"; }

  function showState() {
    var enabled = on();
    toggle.setAttribute("aria-pressed", enabled ? "true" : "false");
    toggle.textContent = enabled ? alerts.dataset.enabled : alerts.dataset.enable;
    if (enabled && "Notification" in window && Notification.permission === "denied") {
      statusLine.textContent = alerts.dataset.blocked;
    } else {
      statusLine.textContent = "";
    }
  }

  function audioContext() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    if (!audio) audio = new Context();
    if (audio.state === "suspended") audio.resume();
    return audio;
  }

  // Two short tones, the second higher; a crisis gets three, louder.
  function tone(urgent) {
    if (!on()) return;
    var context = audioContext();
    if (!context) return;
    var notes = urgent ? [660, 880, 660] : [660, 880];
    notes.forEach(function (frequency, index) {
      var oscillator = context.createOscillator();
      var gain = context.createGain();
      var start = context.currentTime + index * 0.22;
      oscillator.type = "sine";
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(urgent ? 0.5 : 0.25, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.2);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(start);
      oscillator.stop(start + 0.21);
    });
  }

  function notify(title, body, tag, urgent) {
    if (!on() || !("Notification" in window) || Notification.permission !== "granted") return;
    try {
      var shown = new Notification(title, { body: body, tag: tag, renotify: true, requireInteraction: urgent });
      shown.onclick = function () { window.focus(); window.location.href = "/inbox"; };
    } catch (error) { /* a browser that only notifies from a service worker: the tone is left */ }
  }

  toggle.addEventListener("click", function () {
    if (on()) {
      window.localStorage.removeItem(preference);
      showState();
      return;
    }
    window.localStorage.setItem(preference, "on");
    audioContext(); // created in the click: browsers allow sound only after one
    var asked = "Notification" in window && Notification.permission === "default"
      ? Notification.requestPermission() : Promise.resolve();
    Promise.resolve(asked).then(showState, showState);
    showState();
  });
  // After a reload the browser wants a click or key before it plays sound again.
  ["click", "keydown"].forEach(function (name) {
    document.addEventListener(name, function () { if (on()) audioContext(); }, { once: true });
  });

  // -- what the stream says ----------------------------------------------------------------
  function crisisAlert() {
    tone(true);
    notify(alerts.dataset.crisisTitle, alerts.dataset.crisisBody, "borgerchat-crisis", true);
  }

  function onAlerts(state) {
    var waiting = state.waiting || [];
    document.title = (waiting.length ? "(" + waiting.length + ") " : "") + baseTitle;
    var fresh = known === null ? [] : waiting.filter(function (id) { return known.indexOf(id) < 0; });
    var freshCrisis = fresh.filter(function (id) { return state.crisis.indexOf(id) >= 0; });
    var startingCrisis = crisisIds.length === 0 && state.crisis.length > 0;
    known = waiting;
    crisisIds = state.crisis || [];
    crisisBanner.hidden = crisisIds.length === 0;
    if (crisisIds.length) {
      if (startingCrisis || freshCrisis.length) crisisAlert();
      if (!crisisTimer) crisisTimer = setInterval(crisisAlert, CRISIS_REPEAT_MS);
    } else if (crisisTimer) {
      clearInterval(crisisTimer);
      crisisTimer = null;
    }
    if (fresh.length > freshCrisis.length) {
      tone(false);
      notify(alerts.dataset.newTitle, alerts.dataset.newBody, "borgerchat-new-chat", false);
    }
  }

  function onFragment(index, html) {
    var element = live[index];
    if (!element || html === element.dataset.last) return;
    // Forms are part of the page, not of a live part; a reply being typed is never replaced.
    element.dataset.last = html;
    var log = element.querySelector(".transcript");
    var atBottom = !log || log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    element.innerHTML = html;
    log = element.querySelector(".transcript");
    if (log && atBottom) log.scrollTop = log.scrollHeight;
  }

  function setLive(value) {
    live.forEach(function (element) { element.dataset.live = value; });
  }

  var failures = 0;
  function open() {
    var query = live.map(function (element) {
      return "fragment=" + encodeURIComponent(element.dataset.refresh);
    }).join("&");
    var stream = new EventSource("/inbox/live" + (query ? "?" + query : ""));
    stream.addEventListener("open", function () { failures = 0; setLive("on"); });
    stream.addEventListener("alerts", function (event) { onAlerts(JSON.parse(event.data)); });
    stream.addEventListener("fragment", function (event) {
      var data = JSON.parse(event.data);
      onFragment(data[0], data[1]);
    });
    stream.addEventListener("end", function () {
      // Logged out or out of scope: polling finds the login page, as before.
      stream.close();
      setLive("off");
    });
    stream.addEventListener("error", function () {
      setLive("off"); // polled meanwhile
      failures += 1;
      if (failures >= 5) stream.close(); // EventSource retries itself until then
    });
  }

  showState();
  open();
})();
