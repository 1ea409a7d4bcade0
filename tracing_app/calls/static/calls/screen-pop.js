/* The screen pop sends its form at once: the telephony opened the page for a ringing call.
   Without this file the agent presses "Take the call" (it has the focus). */
(function () {
  "use strict";
  var form = document.querySelector("form[data-auto-submit]");
  if (form && !sessionStorage.getItem("screen-pop:" + location.search)) {
    // Once per pop: going back to this page does not take the call twice.
    sessionStorage.setItem("screen-pop:" + location.search, "1");
    form.requestSubmit ? form.requestSubmit() : form.submit();
  }
}());
