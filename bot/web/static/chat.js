// The web chat: sends a message, shows the replies, and polls for later ones
// (a consultant's answer). No build step; works on a phone.
(function () {
  "use strict";
  const main = document.querySelector(".chat");
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const status = document.getElementById("status");
  const storageKey = "borgerchat-session";

  function newSessionId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  let session = localStorage.getItem(storageKey);
  if (!session || !/^[A-Za-z0-9_-]{8,128}$/.test(session)) {
    session = newSessionId();
    localStorage.setItem(storageKey, session);
  }
  let lastSeen = 0;

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

  function show(who, text, choices) {
    const item = document.createElement("li");
    item.className = who;
    appendText(item, text, who === "bot");
    if (choices && choices.length) {
      const row = document.createElement("div");
      row.className = "choices";
      choices.forEach((choice) => {
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

  function showReplies(replies) {
    replies.forEach((reply) => {
      if (reply.id > lastSeen) lastSeen = reply.id;
      show("bot", reply.text, reply.choices);
    });
  }

  async function send(text) {
    text = text.trim();
    if (!text) return;
    show("citizen", text, []);
    status.textContent = "";
    const messageId = newSessionId();
    try {
      const response = await fetch("/api/chat/messages", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ session: session, text: text, message_id: messageId }),
      });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const body = await response.json();
      showReplies(body.replies);
    } catch (error) {
      status.textContent = main.dataset.error;
    }
  }

  async function poll() {
    try {
      const response = await fetch(
        "/api/chat/messages?session=" + encodeURIComponent(session) + "&after=" + lastSeen
      );
      if (response.ok) showReplies((await response.json()).replies);
    } catch (error) {
      // Offline for a moment: the next poll catches up.
    }
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
  setInterval(poll, 3000);
})();
