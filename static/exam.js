// Exam page helpers: a live countdown, and saving answers as the learner goes.
// The page works without this file; the server keeps the real deadline.
(function () {
  "use strict";
  var form = document.getElementById("exam-form");
  var timer = document.querySelector(".timer[data-seconds-left]");
  if (!form || !timer || !window.fetch) return;
  var status = form.querySelector(".save-status");
  var endsAt = Date.now() + Number(timer.dataset.secondsLeft) * 1000;
  var dirty = false;

  function show(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    timer.textContent = timer.dataset.label + ": " + m + ":" + (s < 10 ? "0" : "") + s;
    timer.classList.toggle("urgent", seconds <= 300);
  }

  function save() {
    if (!dirty) return Promise.resolve();
    var data = new FormData(form);
    data.set("action", "save");
    dirty = false;
    // Not form.action: the buttons named "action" shadow that property.
    return fetch(form.getAttribute("action"), {method: "POST", body: data, credentials: "same-origin",
                               headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (body.saved) {
          status.textContent = status.dataset.saved + " " + new Date().toLocaleTimeString();
          endsAt = Date.now() + body.seconds_left * 1000;
        }
      })
      .catch(function () { dirty = true; status.textContent = status.dataset.retry; });
  }

  form.addEventListener("change", function () { dirty = true; });
  setInterval(save, 20000);
  var tick = setInterval(function () {
    var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    show(left);
    if (left === 0) {
      clearInterval(tick);
      form.querySelector("button[value=submit]").click();
    }
  }, 1000);
  show(Math.max(0, Math.round((endsAt - Date.now()) / 1000)));
})();
