/* The wallboard made live: the server sends the board's fragment (Server-Sent Events)
   whenever it changes; EventSource reconnects by itself. Without this file the page
   reloads itself (meta refresh in <noscript>). */
(function () {
  "use strict";
  var live = document.getElementById("board-live");
  var status = document.getElementById("board-status");
  if (!live || !window.EventSource) { return; }
  var source = new EventSource(live.getAttribute("data-stream-url"));
  source.addEventListener("board", function (event) {
    live.innerHTML = event.data;  // the server's own escaped template output
    status.textContent = status.getAttribute("data-live");
  });
  source.addEventListener("open", function () {
    status.textContent = status.getAttribute("data-live");
  });
  source.addEventListener("error", function () {
    status.textContent = status.getAttribute("data-reconnecting");
  });
}());
