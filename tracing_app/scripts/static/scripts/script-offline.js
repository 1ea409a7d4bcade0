/*
 * The script while the network is down: branching (relevant), calculations and
 * constraints evaluated in the browser with expressions.js, the same language as the
 * server's (proved by a shared corpus). Only questions outside repeats; anything the
 * browser cannot evaluate (server-only functions, identifiers, required answers) keeps
 * the server's last answer. When the network returns, script-form.js saves everything and
 * the server's state replaces this one.
 */
(function () {
  "use strict";

  var E = window.TracingExpressions;
  var data = document.getElementById("script-logic");
  if (!E || !data) { return; }
  var logic = JSON.parse(data.textContent);
  var cache = {};

  function compiled(text) {
    if (!Object.prototype.hasOwnProperty.call(cache, text)) {
      try { cache[text] = E.parse(text); } catch (e) { cache[text] = null; }
    }
    return cache[text];
  }

  /* Evaluate; undefined when the browser cannot (the server's state is kept). */
  function run(text, values, current, today, kind) {
    var expression = compiled(text);
    if (!expression) { return undefined; }
    var context = {
      value: function (name) { return values[name] || ""; },
      current: function () { return current; },
      today: function () { return today; },
      now: function () { return new Date().toISOString(); }
    };
    try {
      return kind === "boolean" ? expression.evaluateBoolean(context) : expression.evaluateString(context);
    } catch (e) {
      return undefined;
    }
  }

  function apply(form, answers) {
    var today = form.getAttribute("data-today");
    var values = {};
    Object.keys(answers).forEach(function (key) { values[key] = answers[key]; });
    var visible = {};
    // Twice, as the server does: a calculation may read an answer decided after it.
    for (var round = 0; round < 2; round += 1) {
      logic.forEach(function (item) {
        var shown = item.parents.every(function (parent) { return visible[parent] !== false; });
        if (shown && item.relevant) {
          var relevant = run(item.relevant, values, "", today, "boolean");
          if (relevant === undefined) {
            var element = document.getElementById("q-" + item.key);
            relevant = element ? !element.hidden : true;  // the server's last word
          }
          shown = relevant;
        }
        visible[item.key] = shown;
        if (!shown && item.type !== "calculate") { values[item.key] = ""; }
        if (shown && item.calculation) {
          var result = run(item.calculation, values, "", today, "string");
          if (result !== undefined) { values[item.key] = result; }
        }
      });
    }
    logic.forEach(function (item) {
      var element = document.getElementById("q-" + item.key);
      if (element) { element.hidden = !visible[item.key]; }
      if (!item.constraint) { return; }
      var error = form.querySelector("[data-error-for='" + item.key + "']");
      var value = (values[item.key] || "").trim();
      if (!error || !visible[item.key] || !value) { return; }
      var allowed = run(item.constraint, values, values[item.key], today, "boolean");
      if (allowed === undefined) { return; }
      var message = allowed ? "" : item.message.replace(/\$\{([^}]+)\}/g, function (all, name) { return values[name] || ""; });
      error.textContent = message;
      error.hidden = !message;
      var field = document.getElementById("f-" + item.key);
      if (field) {
        if (message) { field.setAttribute("aria-invalid", "true"); } else { field.removeAttribute("aria-invalid"); }
      }
    });
  }

  window.TracingOffline = { apply: apply };
}());
