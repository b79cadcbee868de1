// Follows how far the mails of an event's certificates have got: asks the server every two
// seconds while mails are waiting and updates the bar and its text (announced politely).
(function () {
  "use strict";
  var section = document.querySelector("[data-progress-url]");
  if (!section) { return; }
  var bar = section.querySelector("progress");
  var text = section.querySelector("[data-progress-text]");
  function show(state) {
    bar.max = state.valid;
    bar.value = state.mailed;
    bar.textContent = state.mailed + " von " + state.valid;
    text.textContent = state.mailed + " von " + state.valid + " versandt" +
      (state.failed ? ", " + state.failed + " nicht zustellbar" : "") +
      (state.done ? "." : " – wird fortgesetzt.");
  }
  function ask() {
    fetch(section.getAttribute("data-progress-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (state) {
        if (!state) { return; }
        show(state);
        if (!state.done) { window.setTimeout(ask, 2000); }
      })
      .catch(function () { window.setTimeout(ask, 10000); });
  }
  if (bar && text && section.hasAttribute("data-progress-waiting")) { window.setTimeout(ask, 2000); }
})();
