/* The site menu folds behind its "Menu" button on narrow screens and stays open on wide
   ones. Loaded right after the menu (not deferred) so that a phone never paints it open;
   without script the menu is simply open. */
(function () {
  "use strict";
  var menu = document.getElementById("site-menu");
  if (!menu || !window.matchMedia) { return; }
  var narrow = window.matchMedia("(max-width: 47.99rem)");
  function fit() {
    menu.open = !narrow.matches;
  }
  fit();
  if (narrow.addEventListener) { narrow.addEventListener("change", fit); }
}());
