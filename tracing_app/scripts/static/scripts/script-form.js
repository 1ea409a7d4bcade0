/*
 * The agent's script screen, made live. The server stays the authority: every change is
 * sent to it, and it answers with what is visible, the errors and the sentences to say.
 * Without this file the form still works with its "Save and check" button.
 *
 * Nothing typed is lost: answers are kept in localStorage until the server confirms
 * them, and offered back after a reload, a closed tab or a dropped network.
 */
(function () {
  "use strict";

  var form = document.getElementById("script-form");
  if (!form || !window.fetch) { return; }

  var url = form.getAttribute("data-autosave-url");
  var storageKey = "tracing-form-" + form.getAttribute("data-response-id");
  var status = document.getElementById("save-status");
  var csrf = form.querySelector("input[name=csrf_token]");
  var timer = null;
  var inFlight = false;
  var again = false;
  var submitAfter = null;  // a submit button pressed while a save was in flight
  var changes = 0;  // changes made on the page, to tell whether a save sent the latest
  var offline = false;  // the last save failed: the browser follows the script meanwhile

  /* Without the server, branch and check in this browser (script-offline.js). */
  function followOffline() {
    if (!window.TracingOffline) { return; }
    window.TracingOffline.apply(form, answers());
    say(form.getAttribute("data-offline"));
  }

  function answers() {
    var data = {};
    new FormData(form).forEach(function (value, name) {
      if (name === "csrf_token" || name.charAt(0) === "_") { return; }
      if (Object.prototype.hasOwnProperty.call(data, name)) {
        data[name] = data[name] + " " + value;  // select_multiple: space-separated, as stored
      } else {
        data[name] = value;
      }
    });
    return data;
  }

  function say(message) {
    if (status) { status.textContent = message; }
  }

  function keepLocally(data) {
    try {
      localStorage.setItem(storageKey, JSON.stringify({
        answers: data, revision: Number(form.getAttribute("data-revision"))
      }));
    } catch (e) { /* private mode or full: the server copy still counts */ }
  }

  function forget() {
    try { localStorage.removeItem(storageKey); } catch (e) { /* nothing to do */ }
  }

  function apply(state) {
    form.setAttribute("data-revision", state.revision);
    // The page's own submit buttons (Save and check, Complete) send this revision too.
    var revision = form.querySelector("input[name=_revision]");
    if (revision) { revision.value = state.revision; }
    Object.keys(state.visible).forEach(function (name) {
      var element = document.getElementById("q-" + name);
      if (element) { element.hidden = !state.visible[name]; }
    });
    form.querySelectorAll("[data-error-for]").forEach(function (element) {
      var name = element.getAttribute("data-error-for");
      var message = state.errors[name] || "";
      element.textContent = message;
      element.hidden = !message;
      var field = document.getElementById("f-" + name);
      if (field) {
        if (message) { field.setAttribute("aria-invalid", "true"); }
        else { field.removeAttribute("aria-invalid"); }
      }
    });
    Object.keys(state.notes).forEach(function (name) {
      var element = document.getElementById("note-" + name);
      if (element) { element.textContent = state.notes[name]; }
    });
    Object.keys(state.options || {}).forEach(function (name) {
      rebuildOptions(name, state.options[name]);
    });
    var progress = document.getElementById("progress");
    if (progress && state.progress) { progress.textContent = state.progress; }
  }

  /* Replace the radio buttons or checkboxes of a select whose options depend on answers. */
  function rebuildOptions(name, options) {
    var fieldset = document.querySelector("#q-" + CSS.escape(name) + " fieldset.choices");
    if (!fieldset) { return; }
    var existing = fieldset.querySelectorAll("div.check");
    var type = existing.length ? existing[0].querySelector("input").type : "radio";
    var chosen = {};
    fieldset.querySelectorAll("input:checked").forEach(function (input) { chosen[input.value] = true; });
    existing.forEach(function (element) { element.remove(); });
    var anchor = fieldset.querySelector("[data-error-for]");
    options.forEach(function (option) {
      var wrapper = document.createElement("div");
      wrapper.className = "check";
      var input = document.createElement("input");
      input.type = type;
      input.name = name;
      input.value = option[0];
      input.id = "f-" + name + "-" + option[0];
      input.checked = Boolean(chosen[option[0]]);
      var label = document.createElement("label");
      label.htmlFor = input.id;
      label.textContent = option[1];
      wrapper.appendChild(input);
      wrapper.appendChild(label);
      fieldset.insertBefore(wrapper, anchor);
    });
  }

  function save() {
    if (inFlight) { again = true; return; }
    inFlight = true;
    var sent = changes;
    var data = answers();
    keepLocally(data);
    say(form.getAttribute("data-saving"));
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
      body: JSON.stringify({ answers: data, revision: Number(form.getAttribute("data-revision")) })
    }).then(function (response) {
      if (response.status === 409) {
        say(form.getAttribute("data-conflict"));
        return null;
      }
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (state) {
      if (state) {
        offline = false;
        apply(state);
        if (changes === sent) {
          forget();
          say(form.getAttribute("data-saved"));
        } else {
          keepLocally(answers());  // changed while saving: kept until their own save
        }
      }
    }).catch(function () {
      // Kept in localStorage; sent again on the next change and when the network returns.
      offline = true;
      followOffline();
    }).then(function () {
      inFlight = false;
      if (submitAfter) {
        // Sent now with the revision that save returned (else the server takes the
        // page's own submit for a stale one and refuses it).
        var button = submitAfter;
        submitAfter = null;
        again = false;
        if (form.requestSubmit) { form.requestSubmit(button); } else { button.click(); }
        return;
      }
      if (again) { again = false; save(); }
    });
  }

  /* The page's own buttons send every answer: no save of ours may start or overlap. */
  function submitting(event) {
    clearTimeout(timer);
    if (!inFlight) { return; }
    event.preventDefault();
    submitAfter = event.submitter || form.querySelector("button[type=submit]");
    say(form.getAttribute("data-saving"));
  }

  function schedule() {
    changes += 1;
    keepLocally(answers());
    if (offline) { followOffline(); }  // at once: no waiting for a server that is away
    clearTimeout(timer);
    timer = setTimeout(save, 400);
  }

  function restore() {
    var kept;
    try { kept = JSON.parse(localStorage.getItem(storageKey) || "null"); } catch (e) { kept = null; }
    if (!kept || kept.revision < Number(form.getAttribute("data-revision"))) { forget(); return; }
    Object.keys(kept.answers).forEach(function (name) {
      var fields = form.querySelectorAll("[name='" + name.replace(/'/g, "") + "']");
      var values = String(kept.answers[name]).split(" ");
      fields.forEach(function (field) {
        if (field.type === "checkbox" || field.type === "radio") {
          field.checked = values.indexOf(field.value) !== -1;
        } else {
          field.value = kept.answers[name];
        }
      });
    });
    say(form.getAttribute("data-restored"));
    save();
  }

  form.addEventListener("submit", submitting);
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  window.addEventListener("online", save);
  restore();
}());
