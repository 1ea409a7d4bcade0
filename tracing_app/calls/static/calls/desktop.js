/*
 * The call desktop's keys: Alt+N the next visible section of the script, Alt+S save the
 * answers (the script's "Save and check"), Alt+O the call's outcome. Everything stays
 * reachable with Tab too; these keys only save steps.
 */
(function () {
  "use strict";

  function visibleSections() {
    return Array.prototype.filter.call(
      document.querySelectorAll("#script-form .script-section"),
      function (section) { return !section.hidden && section.offsetParent !== null; }
    );
  }

  function focusFirstField(container) {
    var field = container.querySelector("input:not([type=hidden]):not([disabled]), select, textarea");
    (field || container).focus();
  }

  function nextSection() {
    var sections = visibleSections();
    if (!sections.length) { return; }
    var active = document.activeElement;
    var index = sections.findIndex(function (section) { return section.contains(active); });
    var next = sections[(index + 1) % sections.length];
    next.scrollIntoView({ block: "start" });
    focusFirstField(next);
  }

  function save() {
    var button = document.querySelector("#script-form [data-shortcut=save]");
    if (button) { button.click(); }
  }

  function outcome() {
    var section = document.getElementById("outcome");
    if (!section) { return; }
    section.scrollIntoView({ block: "start" });
    focusFirstField(section);
  }

  var keys = { n: nextSection, s: save, o: outcome };
  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey) { return; }
    var action = keys[(event.key || "").toLowerCase()] || keys[(event.code || "").replace("Key", "").toLowerCase()];
    if (action) {
      event.preventDefault();
      action();
    }
  });
}());
