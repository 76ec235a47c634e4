// Keyboard shortcuts: Ctrl+Enter (Cmd+Enter on a Mac) in the reply box sends the reply.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    var box = event.target;
    if (!box || box.id !== "reply-text" || !box.form) return;
    event.preventDefault();
    if (box.value.trim()) box.form.requestSubmit();
  });
})();
