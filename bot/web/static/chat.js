// The web chat: sends a message, shows the replies, and gets later ones (a consultant's answer)
// live by Server-Sent Events, polling where that fails. No build step; works on a phone.
//
// The session key is kept in sessionStorage: a reload in the same tab keeps the conversation
// (fetched again from the server, both ways), a closed tab or another browser does not. The
// server ends a key that is idle too long, or when "Afslut samtale" is pressed; then this page
// forgets it too. The key is only ever sent in a POST body, never in a URL: the live stream is
// opened with a short-lived token instead (integrations/webchat_live.py).
(function () {
  "use strict";
  const main = document.querySelector(".chat");
  const scroller = document.getElementById("transcript");
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const status = document.getElementById("status");
  const notice = document.getElementById("notice");
  const endButton = document.getElementById("end");
  const storageKey = "borgerchat-session";
  const transcriptKey = "borgerchat-transcript"; // kept by older versions: removed
  const store = window.sessionStorage;
  const validSession = /^[A-Za-z0-9_-]{8,128}$/;
  const POLL_MS = 3000; // without a live stream
  const SLOW_POLL_MS = 20000; // beside a live stream, in case it silently stalls
  const HISTORY_WAIT_MS = 5000; // the longest a message waits for the history after a reload

  function newSessionId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // Earlier versions kept the key in localStorage, for every later user of this browser:
  // end that conversation and forget the key.
  const lasting = window.localStorage.getItem(storageKey);
  if (lasting) {
    window.localStorage.removeItem(storageKey);
    if (validSession.test(lasting)) endOnServer(lasting);
  }
  store.removeItem(transcriptKey);

  let session = store.getItem(storageKey);
  if (!session || !validSession.test(session)) {
    session = newSessionId();
    store.setItem(storageKey, session);
  }
  let lastSeen = 0;
  let used = false; // a message was sent with this key (or the server knows it)
  const shown = new Set();

  // Links in what the bot says: https sources, and phone numbers as tap-to-call links.
  const linkable = /https:\/\/[^\s<>"]+[^\s<>".,;:!?)]|(?:\+45 ?)?\b(?:[2-9]\d ?\d{2} ?\d{2} ?\d{2}|[2-9]\d \d{3} \d{3}|1813|112)\b/g;

  function appendText(item, text, linked) {
    let at = 0;
    for (const found of linked ? text.matchAll(linkable) : []) {
      item.appendChild(document.createTextNode(text.slice(at, found.index)));
      const anchor = document.createElement("a");
      const value = found[0];
      if (value.startsWith("https://")) {
        anchor.href = value;
        anchor.target = "_blank";
        anchor.rel = "noopener noreferrer";
      } else {
        anchor.href = "tel:" + value.replace(/ /g, "");
      }
      anchor.textContent = value;
      item.appendChild(anchor);
      at = found.index + value.length;
    }
    item.appendChild(document.createTextNode(text.slice(at)));
  }

  function speakerOf(sender) {
    if (sender === "citizen") return { css: "citizen", label: main.dataset.you };
    if (sender === "consultant") return { css: "bot consultant", label: main.dataset.consultant };
    return { css: "bot", label: main.dataset.bot };
  }

  function choiceButtons(choices) {
    const row = document.createElement("div");
    row.className = "choices";
    choices.forEach((choice, index) => {
      const button = document.createElement("button");
      button.type = "button";
      const number = document.createElement("span");
      number.className = "number";
      number.textContent = String(index + 1);
      button.append(number, document.createTextNode(" " + choice));
      button.addEventListener("click", () => send(choice, { chosen: true }));
      row.appendChild(button);
    });
    return row;
  }

  function scrollToNewest() {
    scroller.scrollTop = scroller.scrollHeight;
  }

  function render(sender, text, choices, id) {
    const speaker = speakerOf(sender);
    const item = document.createElement("li");
    item.className = speaker.css;
    item.tabIndex = -1; // focusable from script: after a choice, focus moves here
    if (id) item.dataset.id = String(id);
    const label = document.createElement("span");
    label.className = "speaker";
    label.textContent = speaker.label;
    item.appendChild(label);
    const body = document.createElement("span");
    body.className = "text";
    appendText(body, text, sender !== "citizen");
    item.appendChild(body);
    if (choices && choices.length) item.appendChild(choiceButtons(choices));
    log.appendChild(item);
    scrollToNewest();
    return item;
  }

  function showReplies(replies) {
    let first = null;
    replies.forEach((reply) => {
      if (shown.has(reply.id)) return;
      shown.add(reply.id);
      if (reply.id > lastSeen) lastSeen = reply.id;
      const item = render(reply.sender || "bot", reply.text, reply.choices, reply.id);
      first = first || item;
    });
    return first;
  }

  function tell(text) {
    notice.textContent = text;
    notice.hidden = !text;
  }

  // Forget the conversation on this device and go on with a fresh key.
  function forget(nextSession) {
    session = nextSession && validSession.test(nextSession) ? nextSession : newSessionId();
    store.setItem(storageKey, session);
    shown.clear();
    lastSeen = 0;
    used = false;
    log.replaceChildren();
    status.textContent = "";
    closeStream();
  }

  async function ended(response) {
    let next = null;
    try {
      next = (await response.json()).session;
    } catch (error) {
      next = null;
    }
    endedWith(next);
  }

  function endedWith(next) {
    forget(next);
    tell(main.dataset.expired);
  }

  function post(path, body) {
    return fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      cache: "no-store",
    });
  }

  function endOnServer(key) {
    return post("/api/chat/session/end", { session: key }).catch(() => null);
  }

  async function send(text, options) {
    text = text.trim();
    if (!text) return;
    // After a reload the conversation so far comes first: a message shown before the history
    // arrived would be shown again with it. A hung line holds nobody's message for long.
    await Promise.race([historyShown, new Promise((done) => setTimeout(done, HISTORY_WAIT_MS))]);
    tell("");
    render("citizen", text, []);
    status.textContent = "";
    const messageId = newSessionId();
    try {
      const response = await post("/api/chat/messages", {
        session: session,
        text: text,
        message_id: messageId,
      });
      if (response.status === 410) {
        await ended(response);
        input.value = text; // not sent: one press sends it in a new conversation
        return;
      }
      if (!response.ok) throw new Error("HTTP " + response.status);
      const body = await response.json();
      const first = showReplies(body.replies);
      // After a button, the answer to it is where a screen reader and the keyboard go on.
      if (options && options.chosen && first) first.focus({ preventScroll: true });
      if (!used) {
        used = true;
        openStream();
      }
    } catch (error) {
      status.textContent = main.dataset.error;
    }
  }

  // -- later messages: the live stream, polling as the fallback -----------------------------

  let stream = null;
  let streamFailures = 0;
  let pollTimer = null;

  function closeStream() {
    if (stream) stream.close();
    stream = null;
  }

  async function openStream() {
    closeStream();
    if (!("EventSource" in window) || streamFailures >= 3) return;
    let token = null;
    try {
      const response = await post("/api/chat/events-token", { session: session });
      if (response.status === 410) return ended(response);
      if (response.ok) token = (await response.json()).token;
    } catch (error) {
      token = null;
    }
    if (!token) return;
    const opened = new EventSource(
      "/api/chat/events?token=" + encodeURIComponent(token) + "&after=" + lastSeen
    );
    stream = opened;
    opened.addEventListener("open", () => {
      streamFailures = 0;
    });
    opened.addEventListener("replies", (event) => {
      showReplies(JSON.parse(event.data).replies);
    });
    opened.addEventListener("ended", (event) => {
      closeStream();
      let next = null;
      try {
        next = JSON.parse(event.data).session;
      } catch (error) {
        next = null;
      }
      endedWith(next);
    });
    opened.addEventListener("error", () => {
      // The token is single-window: a reconnect needs a new one. Polling covers the gap.
      if (stream !== opened) return;
      closeStream();
      streamFailures += 1;
      setTimeout(openStream, 1000 * streamFailures);
    });
  }

  async function poll() {
    try {
      const response = await post("/api/chat/later", { session: session, after: lastSeen });
      if (response.status === 410) return ended(response);
      if (response.ok) showReplies((await response.json()).replies);
    } catch (error) {
      // Offline for a moment: the next poll catches up.
    }
  }

  function schedulePoll() {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(async () => {
      await poll();
      schedulePoll();
    }, stream ? SLOW_POLL_MS : POLL_MS);
  }

  // After a reload: the conversation so far, from the server, only while the key lives.
  async function start() {
    let response;
    try {
      response = await post("/api/chat/history", { session: session });
    } catch (error) {
      return;
    }
    if (response.status === 410) return ended(response);
    if (!response.ok) return;
    const messages = (await response.json()).messages;
    if (!messages.length) return;
    used = true;
    messages.forEach((message) => {
      if (message.sender !== "citizen") {
        showReplies([message]);
      } else {
        render("citizen", message.text, []);
        if (message.id > lastSeen) lastSeen = message.id;
      }
    });
    openStream();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    input.value = "";
    send(text);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  document.querySelectorAll("#greeting [data-choice]").forEach((button) => {
    button.addEventListener("click", () => send(button.dataset.choice, { chosen: true }));
  });
  endButton.addEventListener("click", async () => {
    if (!window.confirm(main.dataset.confirmEnd)) return;
    const key = session;
    forget(null);
    await endOnServer(key);
    tell(main.dataset.ended);
  });
  const historyShown = start().catch(() => {});
  historyShown.finally(schedulePoll);
})();
