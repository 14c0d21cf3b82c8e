// Focus mode (a per-user preference, switched on the stage page): one question at a time. Ctrl+Enter (⌘+Enter
// on a Mac) saves the question in hand and moves to the next one, Alt+↑ / Alt+↓ move without saving, Esc shows
// the full list for this page view (the preference stays; "Show all questions" switches it off). The gate follows
// the last question. Without JavaScript the page is the full list.
(function () {
  "use strict";
  var page, bar, current = null, showingAll = false;

  function questions() {
    return Array.prototype.slice.call(page.querySelectorAll("article.question"));
  }

  function firstField(block) {
    return block.querySelector("textarea, input:not([type=hidden]), select");
  }

  function show(id, focus) {
    var list = questions();
    var block = document.getElementById(id) || list[0];
    if (!block) { return; }
    current = block.id;
    list.forEach(function (each) { each.classList.toggle("focus-current", each === block); });
    var index = list.indexOf(block);
    bar.querySelector(".focus-position").textContent = "Question " + (index + 1) + " of " + list.length;
    bar.querySelector(".focus-previous").disabled = index <= 0;
    bar.querySelector(".focus-next").textContent = index >= list.length - 1 ? "To the gate" : "Next";
    if (focus) {
      var field = firstField(block);
      (field || block).focus({ preventScroll: true });
      block.scrollIntoView({ block: "start" });
    }
  }

  function move(step) {
    var list = questions();
    var index = list.findIndex(function (each) { return each.id === current; });
    var next = list[index + step];
    if (next) {
      show(next.id, true);
    } else if (step > 0) {
      var gate = document.getElementById("gate-panel");
      if (gate) { gate.scrollIntoView({ block: "start" }); var button = gate.querySelector("button"); if (button) { button.focus(); } }
    }
  }

  function saveCurrent() {
    var block = document.getElementById(current);
    var form = block && block.querySelector("form.answer-form");
    if (form && window.uaipAutosave) { window.uaipAutosave.save(form); }
  }

  function setAll(all) {
    showingAll = all;
    page.classList.toggle("focus-mode", !all);
    bar.classList.toggle("showing-all", all);
    bar.querySelector(".focus-all").textContent = all ? "One question at a time" : "Show all (Esc)";
    if (all && current) {
      var block = document.getElementById(current);
      if (block) { block.scrollIntoView({ block: "start" }); var field = firstField(block); if (field) { field.focus({ preventScroll: true }); } }
    }
  }

  function start() {
    page = document.querySelector(".stage-page[data-focus-mode=on]");
    if (!page || !page.querySelector("article.question")) { return; }
    bar = document.createElement("nav");
    bar.className = "focus-bar";
    bar.setAttribute("aria-label", "One question at a time");
    bar.innerHTML = '<span class="focus-position" aria-live="polite"></span>' +
      '<button type="button" class="small focus-previous">Previous</button>' +
      '<button type="button" class="small primary focus-next">Next</button>' +
      '<button type="button" class="small focus-all">Show all (Esc)</button>' +
      '<span class="meta focus-keys">Ctrl+Enter saves and moves on</span>';
    var first = page.querySelector(".question-group");
    first.parentNode.insertBefore(bar, first);
    bar.querySelector(".focus-previous").addEventListener("click", function () { move(-1); });
    bar.querySelector(".focus-next").addEventListener("click", function () { saveCurrent(); move(1); });
    bar.querySelector(".focus-all").addEventListener("click", function () {
      if (showingAll) { setAll(false); show(current, true); } else { setAll(true); }
    });

    var target = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
    if (!target || !target.matches("article.question")) {
      target = questions().find(function (block) { return block.classList.contains("status-unanswered") && !block.classList.contains("not-applicable"); });
    }
    setAll(false);
    show((target || questions()[0]).id, true);

    document.addEventListener("keydown", function (event) {
      if (showingAll) { return; }
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        saveCurrent();
        move(1);
      } else if (event.key === "Escape" && !(document.activeElement && document.activeElement.closest(".flash"))) {
        event.preventDefault();
        setAll(true);
      } else if (event.altKey && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
        event.preventDefault();
        move(event.key === "ArrowDown" ? 1 : -1);
      }
    });
    // A saved answer comes back as a new block: keep it the one in hand.
    document.addEventListener("htmx:afterSwap", function () {
      if (!showingAll && current && document.getElementById(current)) {
        questions().forEach(function (each) { each.classList.toggle("focus-current", each.id === current); });
      }
    });
  }

  document.addEventListener("DOMContentLoaded", start);
})();
