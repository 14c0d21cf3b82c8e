// Flash messages: each gets a "Dismiss" button; confirmations go away by themselves after a while, errors and
// warnings stay until dismissed. Messages that htmx swaps in later (rate-limit notices, "Created …") get the same.
(function () {
  "use strict";
  var AUTO_HIDE_MS = 8000;
  var LASTING = ["flash-error", "flash-warning"];

  function lasting(flash) {
    return LASTING.some(function (name) { return flash.classList.contains(name); }) ||
      flash.getAttribute("role") === "alert";
  }

  function dismiss(flash) {
    if (flash.contains(document.activeElement)) {
      var main = document.getElementById("main");
      if (main) { main.setAttribute("tabindex", "-1"); main.focus({ preventScroll: true }); }
    }
    flash.remove();
  }

  function equip(root) {
    root.querySelectorAll("#messages .flash:not([data-dismissible])").forEach(function (flash) {
      flash.setAttribute("data-dismissible", "");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "flash-dismiss";
      button.setAttribute("aria-label", "Dismiss this message");
      button.textContent = "×";
      flash.appendChild(button);
      if (!lasting(flash)) {
        var timer = window.setTimeout(function () { dismiss(flash); }, AUTO_HIDE_MS);
        // Someone reading or about to click it keeps it.
        flash.addEventListener("mouseenter", function () { window.clearTimeout(timer); }, { once: true });
        flash.addEventListener("focusin", function () { window.clearTimeout(timer); }, { once: true });
      }
    });
  }

  document.documentElement.classList.add("js");
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".flash-dismiss");
    if (button) { dismiss(button.closest(".flash")); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && document.activeElement && document.activeElement.closest(".flash")) {
      dismiss(document.activeElement.closest(".flash"));
    }
  });
  document.addEventListener("DOMContentLoaded", function () { equip(document); });
  document.addEventListener("htmx:afterSettle", function () { equip(document); });
})();
