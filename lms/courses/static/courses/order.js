// Drag-and-drop ordering of a module's lessons and quizzes. Without this script the
// "Move up" / "Move down" buttons do the same (also by keyboard).
(function () {
  "use strict";
  var list = document.getElementById("module-order");
  if (!list) { return; }
  var status = document.getElementById("order-status");
  var dragged = null;
  var before = null;

  function ids() {
    return Array.prototype.map.call(list.children, function (li) { return li.dataset.itemId; });
  }

  function save() {
    var body = new URLSearchParams();
    body.set("csrf_token", list.dataset.csrf);
    body.set("order", ids().join(","));
    fetch(list.dataset.orderUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) {
        status.textContent = data.message || data.error || "";
      });
    }).catch(function () {
      status.textContent = list.dataset.errorMessage || "";
    });
  }

  list.addEventListener("dragstart", function (event) {
    dragged = event.target.closest("li");
    before = ids().join(",");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.itemId);
  });
  list.addEventListener("dragover", function (event) {
    var target = event.target.closest("li");
    if (!dragged || !target || target === dragged) { return; }
    event.preventDefault();
    var box = target.getBoundingClientRect();
    var after = event.clientY > box.top + box.height / 2;
    list.insertBefore(dragged, after ? target.nextSibling : target);
  });
  list.addEventListener("drop", function (event) { event.preventDefault(); });
  list.addEventListener("dragend", function () {
    if (dragged && ids().join(",") !== before) { save(); }
    dragged = null;
  });
})();
