// Quiz attempt page: saves answers as the learner works, and shows the time left.
// The page works without this file (Save / Finish buttons post the same form); the
// server is the authority: it keeps the deadline and refuses answers after it.
(function () {
  "use strict";
  var form = document.getElementById("quiz-attempt");
  if (!form) { return; }
  var status = document.getElementById("quiz-save-status");
  var url = form.getAttribute("data-autosave-url");
  var timer = null;
  var saving = false;
  var again = false;

  function say(text) { if (status) { status.textContent = text; } }

  function save() {
    if (saving) { again = true; return; }
    saving = true;
    say(form.getAttribute("data-saving"));
    fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin",
                 headers: { "Accept": "application/json" } })
      .then(function (response) {
        return response.json().then(function (data) { return { response: response, data: data }; });
      })
      .then(function (result) {
        if (result.response.status === 409 && result.data.location) {
          window.location.assign(result.data.location);
          return;
        }
        say(result.response.ok ? form.getAttribute("data-saved") : form.getAttribute("data-failed"));
      })
      .catch(function () { say(form.getAttribute("data-failed")); })
      .then(function () {
        saving = false;
        if (again) { again = false; save(); }
      });
  }

  function soon() {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 800);
  }

  form.addEventListener("change", soon);
  form.addEventListener("input", soon);

  var countdown = document.getElementById("quiz-countdown");
  if (countdown) {
    // The server's clock counts: shift ours by the difference seen when the page came.
    var deadline = Date.parse(countdown.getAttribute("data-deadline"));
    var offset = Date.parse(countdown.getAttribute("data-now")) - Date.now();
    var label = countdown.getAttribute("data-label");
    var tick = function () {
      var left = deadline - (Date.now() + offset);
      if (left <= 0) {
        window.clearInterval(interval);
        save();  // the server answers that time is up, and where the result is
        return;
      }
      countdown.textContent = label.replace("{minutes}", String(Math.ceil(left / 60000)));
    };
    var interval = window.setInterval(tick, 1000);
    tick();
  }
}());
