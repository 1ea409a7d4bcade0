// Security keys and passkeys (WebAuthn): register one, or sign in with one.
// The section stays hidden where the browser lacks WebAuthn; the code form still works.
(function () {
  "use strict";
  var section = document.querySelector("[data-webauthn]");
  if (!section || !window.PublicKeyCredential ||
      !PublicKeyCredential.parseCreationOptionsFromJSON) {
    return;
  }
  section.hidden = false;
  var mode = section.getAttribute("data-webauthn");
  var errorBox = section.querySelector("[data-webauthn-error]");
  var button = section.querySelector("[data-webauthn-start]");

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json",
                 "X-CSRFToken": section.getAttribute("data-csrf") },
      body: body
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw new Error(data.error || ""); }
        return data;
      });
    });
  }

  function ceremony(options) {
    if (mode === "register") {
      return navigator.credentials.create({
        publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options)
      });
    }
    return navigator.credentials.get({
      publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options)
    });
  }

  button.addEventListener("click", function () {
    errorBox.textContent = "";
    button.disabled = true;
    post(section.getAttribute("data-options-url"), "{}")
      .then(function (options) {
        return ceremony(options).catch(function () { throw new Error(""); });
      })
      .then(function (credential) {
        return post(section.getAttribute("data-answer-url"), JSON.stringify(credential.toJSON()));
      })
      .then(function (data) { window.location.assign(data.redirect); })
      .catch(function (error) {
        // The server's message is translated; the browser's (cancelled, timed out) is not.
        errorBox.textContent = error.message || section.getAttribute("data-failed");
        button.disabled = false;
      });
  });
}());
