// The web chat: sends a message, shows the replies, and polls for later ones
// (a consultant's answer). No build step; works on a phone.
//
// The session key and the conversation shown are kept in sessionStorage: a reload in the same
// tab keeps the conversation, a closed tab or another browser does not. The server ends a key
// that is idle too long, or when "Afslut samtale" is pressed; then this page forgets it too.
(function () {
  "use strict";
  const main = document.querySelector(".chat");
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const status = document.getElementById("status");
  const notice = document.getElementById("notice");
  const endButton = document.getElementById("end");
  const storageKey = "borgerchat-session";
  const transcriptKey = "borgerchat-transcript";
  const store = window.sessionStorage;
  const validSession = /^[A-Za-z0-9_-]{8,128}$/;

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

  let session = store.getItem(storageKey);
  if (!session || !validSession.test(session)) {
    session = newSessionId();
    store.setItem(storageKey, session);
    store.removeItem(transcriptKey);
  }
  let transcript = [];
  try {
    transcript = JSON.parse(store.getItem(transcriptKey) || "[]");
  } catch (error) {
    transcript = [];
  }
  let lastSeen = 0;
  const shown = new Set();

  // An answer's sources are https links: shown as links, every other character as text.
  const link = /https:\/\/[^\s<>"]+[^\s<>".,;:!?)]/g;

  function appendText(item, text, linked) {
    let at = 0;
    for (const found of linked ? text.matchAll(link) : []) {
      item.appendChild(document.createTextNode(text.slice(at, found.index)));
      const anchor = document.createElement("a");
      anchor.href = found[0];
      anchor.textContent = found[0];
      anchor.target = "_blank";
      anchor.rel = "noopener noreferrer";
      item.appendChild(anchor);
      at = found.index + found[0].length;
    }
    item.appendChild(document.createTextNode(text.slice(at)));
  }

  function render(entry) {
    const item = document.createElement("li");
    item.className = entry.who;
    appendText(item, entry.text, entry.who === "bot");
    if (entry.choices && entry.choices.length) {
      const row = document.createElement("div");
      row.className = "choices";
      entry.choices.forEach((choice) => {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = choice;
        button.addEventListener("click", () => send(choice));
        row.appendChild(button);
      });
      item.appendChild(row);
    }
    log.appendChild(item);
    item.scrollIntoView({ block: "end" });
  }

  function show(who, text, choices, id) {
    const entry = { who: who, text: text, choices: choices || [], id: id || 0 };
    render(entry);
    transcript.push(entry);
    store.setItem(transcriptKey, JSON.stringify(transcript));
  }

  function showReplies(replies) {
    replies.forEach((reply) => {
      if (shown.has(reply.id)) return;
      shown.add(reply.id);
      if (reply.id > lastSeen) lastSeen = reply.id;
      show("bot", reply.text, reply.choices, reply.id);
    });
  }

  function tell(text) {
    notice.textContent = text;
    notice.hidden = !text;
  }

  // Forget the conversation on this device and go on with a fresh key.
  function forget(nextSession) {
    session = nextSession && validSession.test(nextSession) ? nextSession : newSessionId();
    store.setItem(storageKey, session);
    store.removeItem(transcriptKey);
    transcript = [];
    shown.clear();
    lastSeen = 0;
    log.replaceChildren();
    status.textContent = "";
  }

  async function ended(response) {
    let next = null;
    try {
      next = (await response.json()).session;
    } catch (error) {
      next = null;
    }
    forget(next);
    tell(main.dataset.expired);
  }

  function endOnServer(key) {
    return fetch("/api/chat/session/end", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ session: key }),
    }).catch(() => null);
  }

  async function send(text) {
    text = text.trim();
    if (!text) return;
    tell("");
    show("citizen", text, []);
    status.textContent = "";
    const messageId = newSessionId();
    try {
      const response = await fetch("/api/chat/messages", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ session: session, text: text, message_id: messageId }),
      });
      if (response.status === 410) {
        await ended(response);
        input.value = text; // not sent: one press sends it in a new conversation
        return;
      }
      if (!response.ok) throw new Error("HTTP " + response.status);
      const body = await response.json();
      showReplies(body.replies);
    } catch (error) {
      status.textContent = main.dataset.error;
    }
  }

  function fetchLater() {
    return fetch(
      "/api/chat/messages?session=" + encodeURIComponent(session) + "&after=" + lastSeen,
      { cache: "no-store" }
    );
  }

  async function poll() {
    try {
      const response = await fetchLater();
      if (response.status === 410) return ended(response);
      if (response.ok) showReplies((await response.json()).replies);
    } catch (error) {
      // Offline for a moment: the next poll catches up.
    }
  }

  function restore(saved) {
    saved.forEach(render);
    transcript = saved;
  }

  // After a reload: the conversation is shown again only once the server says the key lives.
  async function start() {
    const saved = transcript;
    transcript = [];
    if (!saved.length) return;
    saved.forEach((entry) => {
      if (!entry.id) return;
      shown.add(entry.id);
      if (entry.id > lastSeen) lastSeen = entry.id;
    });
    let response;
    try {
      response = await fetchLater();
    } catch (error) {
      restore(saved); // offline: this tab's own copy
      return;
    }
    if (response.status === 410) return ended(response);
    restore(saved);
    if (response.ok) showReplies((await response.json()).replies);
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
  endButton.addEventListener("click", async () => {
    if (!window.confirm(main.dataset.confirmEnd)) return;
    const key = session;
    forget(null);
    await endOnServer(key);
    tell(main.dataset.ended);
  });
  start().finally(() => setInterval(poll, 3000));
})();
