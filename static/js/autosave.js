// The stage page's answers save themselves: when focus leaves an answer whose fields changed (or a choice or a
// unit is picked), its form is sent as if "Save answer" had been pressed. Each answer shows its state: saving,
// saved, or not saved with the reason, and what was typed is never thrown away: a failed request leaves the
// field as it is, and text typed while a save was on its way is put back into the block the server returns.
// "Save group" sends every changed answer of a group in one request. Without JavaScript the page works as
// before: each answer has its own "Save answer" button.
(function () {
  "use strict";
  var RETRY_CAP_S = 30;

  function forms(root) { return Array.prototype.slice.call((root || document).querySelectorAll("form.answer-form")); }

  function values(form) {
    var data = new FormData(form);
    data.delete("csrfmiddlewaretoken");
    return new URLSearchParams(data).toString();
  }

  function stateOf(form) { return form.querySelector(".save-state"); }

  function say(form, text, kind) {
    var state = stateOf(form);
    if (!state) { return; }
    state.textContent = text;
    state.className = "save-state" + (kind ? " save-" + kind : "");
  }

  // What the server holds for each answer: the form as rendered, unless the server sent it back with errors or a
  // notice (then what is shown was typed, not saved).
  function remember(root) {
    forms(root).forEach(function (form) {
      var refused = form.querySelector(".field-errors, .notice");
      form.dataset.saved = refused ? "" : values(form);
      if (refused) { form.dataset.refused = values(form); }
    });
  }

  function changed(form) {
    var now = values(form);
    return now !== form.dataset.saved && now !== form.dataset.sending && now !== form.dataset.refused;
  }

  function save(form) {
    if (!window.htmx || !form.isConnected || !changed(form)) { return false; }
    window.htmx.trigger(form, "submit");
    return true;
  }

  function article(form) { return form.closest("article.question"); }

  // The fields of a form whose value differs from what was sent (or, with nothing in flight, saved): field id →
  // value. Put back into the block that replaces it (putBack), so nothing typed meanwhile is lost.
  function typedSince(form) {
    var typed = {};
    var sent = new URLSearchParams(form.dataset.sending || form.dataset.saved || "");
    form.querySelectorAll("textarea, input[type=text], input[type=number], select").forEach(function (field) {
      if (field.name && field.id && field.value !== (sent.get(field.name) || "")) { typed[field.id] = field.value; }
    });
    return typed;
  }

  function putBack(typed) {
    Object.keys(typed).forEach(function (id) {
      var field = document.getElementById(id);
      if (field) { field.value = typed[id]; }
    });
  }

  // --- Saving one answer (htmx posts the form and swaps its question block) ---------------------------------
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form.answer-form")) { return; }
    form.dataset.sending = values(form);
    say(form, "Saving…", "saving");
  });

  // Text typed into the block while its save was on the way goes back into the block that replaces it. The
  // swap replaces the whole question block (outerHTML), so what is needed afterwards is kept by the block's id.
  var swapping = {};
  document.addEventListener("htmx:beforeSwap", function (event) {
    // The block is replaced by its own save, and again when its check ends (the run's poll retargets the block).
    var target = event.detail.target;
    var block = target && target.matches && target.matches("article.question") ? target : null;
    var form = block && block.querySelector("form.answer-form");
    if (!form) { return; }
    var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    var xhr = event.detail.xhr;
    swapping[block.id] = {
      old: block,
      typed: typedSince(form),
      fromForm: elt === form,
      status: xhr ? xhr.status : 200,
      retryAfter: xhr ? xhr.getResponseHeader("Retry-After") : null
    };
  });

  document.addEventListener("htmx:afterSwap", function () {
    Object.keys(swapping).forEach(function (id) {
      var target = document.getElementById(id);
      var swap = swapping[id];
      if (!target || target === swap.old) { return; }
      delete swapping[id];
      var form = target.querySelector("form.answer-form");
      if (!form) { return; }
      remember(target);
      putBack(swap.typed);
      if (swap.status === 429) {
        var wait = Math.min(RETRY_CAP_S, parseInt(swap.retryAfter || "5", 10) || 5);
        form.dataset.refused = "";
        say(form, "Not saved yet: another answer is being checked. Trying again in " + wait + " s.", "failed");
        window.setTimeout(function () { if (form.isConnected) { save(form); } }, wait * 1000);
      } else if (swap.status >= 400) {
        say(form, "Not saved: see the message below. What you typed is still here.", "failed");
      } else if (Object.keys(swap.typed).length) {
        say(form, "Saved, but you typed more since: it is saved when you leave the answer.", "saving");
      } else if (swap.fromForm) {
        say(form, "Saved", "saved");
      }
    });
  });

  function failed(event) {
    var form = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!form || !form.matches || !form.matches("form.answer-form")) { return; }
    delete form.dataset.sending;
    var status = event.detail.xhr && event.detail.xhr.status;
    say(form, (status ? "Not saved: the server answered " + status + "." : "Not saved: the server could not be reached.") +
      " What you typed is still here; it is sent again when you leave the answer, or press Save answer.", "failed");
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:timeout", failed);

  // --- When to save ------------------------------------------------------------------------------------------
  document.addEventListener("focusout", function (event) {
    var form = event.target.closest && event.target.closest("form.answer-form");
    if (!form) { return; }
    // Moving between the fields of one answer (a number and its unit) is not leaving it; moving to a button is.
    var to = event.relatedTarget;
    if (to && form.contains(to) && to.matches("input, textarea, select")) { return; }
    save(form);
  });
  var pending = new WeakMap();
  document.addEventListener("change", function (event) {
    var field = event.target;
    var form = field.closest && field.closest("form.answer-form");
    if (!form || !(field.type === "radio" || field.tagName === "SELECT")) { return; }
    // Arrowing through radio buttons changes the choice at each step: save once the choice settles.
    window.clearTimeout(pending.get(form));
    pending.set(form, window.setTimeout(function () { save(form); }, 700));
  });
  window.addEventListener("beforeunload", function (event) {
    if (forms().some(function (form) { return values(form) !== form.dataset.saved && values(form) !== form.dataset.sending; })) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // --- Save group ------------------------------------------------------------------------------------------
  function csrf() {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    return token ? token.value : "";
  }

  function saveGroup(button) {
    var section = button.closest(".question-group");
    var status = section.querySelector(".group-save-state");
    var changedForms = forms(section).filter(changed);
    if (!changedForms.length) { status.textContent = "Nothing to save: every answer here is saved."; return; }
    var body = new URLSearchParams();
    changedForms.forEach(function (form) {
      var entry = form.querySelector("input[name=question_id]").value + ":" + form.querySelector("input[name=item]").value;
      body.append("entry", entry);
      new FormData(form).forEach(function (value, name) {
        if (["answer", "value", "unit", "note", "detail", "version"].indexOf(name) >= 0) { body.append(entry + ":" + name, value); }
      });
      form.dataset.sending = values(form);
      say(form, "Saving…", "saving");
    });
    button.disabled = true;
    status.textContent = "Saving " + changedForms.length + " answer" + (changedForms.length === 1 ? "" : "s") + "…";
    fetch(button.dataset.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true" },
      body: body.toString()
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) { return { response: response, data: data }; });
    }).then(function (reply) {
      if (!reply.response.ok) {
        changedForms.forEach(function (form) { delete form.dataset.sending; say(form, "Not saved.", "failed"); });
        status.textContent = "Not saved: " + (reply.data.detail || "the server answered " + reply.response.status + ".") +
          " What you typed is still here.";
        return;
      }
      var saved = 0, queued = 0, wait = 0;
      (reply.data.results || []).forEach(function (result) {
        var old = document.getElementById(result.anchor);
        if (!old) { return; }
        var oldForm = old.querySelector("form.answer-form");
        var typed = oldForm ? typedSince(oldForm) : {};
        var holder = document.createElement("div");
        holder.innerHTML = result.html;
        var fresh = holder.querySelector("article.question");
        if (!fresh) { return; }
        old.replaceWith(fresh);
        if (window.htmx) { window.htmx.process(fresh); }
        remember(fresh);
        putBack(typed);
        var form = fresh.querySelector("form.answer-form");
        if (result.status === "saved" || result.status === "unchanged" || result.status === "checking") {
          saved += 1;
          say(form, "Saved", "saved");
        } else if (result.status === "queued") {
          // Another answer's check is running: this one goes again by itself when it should be done.
          queued += 1;
          wait = Math.max(wait, Math.min(RETRY_CAP_S, result.retry_after || 5));
          form.dataset.refused = "";
          say(form, "Waiting for the check in progress; sent again in " + wait + " s.", "saving");
        } else {
          say(form, "Not saved: see the message below.", "failed");
        }
      });
      var missed = changedForms.length - saved - queued;
      status.textContent = "Saved " + saved + " answer" + (saved === 1 ? "" : "s") +
        (queued ? "; " + queued + " sent again in " + wait + " s, once the check in progress ends" : "") +
        (missed ? "; " + missed + " not saved (see the messages beside them)." : ".");
      if (queued) { window.setTimeout(function () { if (button.isConnected) { saveGroup(button); } }, wait * 1000); }
    }).catch(function () {
      changedForms.forEach(function (form) { delete form.dataset.sending; say(form, "Not saved.", "failed"); });
      status.textContent = "Not saved: the server could not be reached. What you typed is still here.";
    }).finally(function () { button.disabled = false; });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.save-group");
    if (button) { event.preventDefault(); saveGroup(button); }
  });

  // --- Prefill that follows earlier answers (S2Q7's metric names from S2Q6) ----------------------------------
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    var hints = event.detail.target;
    if (!hints || !hints.classList || !hints.classList.contains("hints")) { return; }
    var anchor = hints.id.replace(/-hints$/, "");
    var field = document.getElementById(anchor + "-field");
    var prefill = hints.dataset.prefill || "";
    if (field && prefill && (field.value.trim() === "" || field.value === field.dataset.prefilled)) {
      field.value = prefill;
      field.dataset.prefilled = prefill;
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    remember(document);
    document.querySelectorAll("button.save-group").forEach(function (button) { button.hidden = false; });
    // A field still showing the server's prefill follows later changes of it (until the user edits it).
    document.querySelectorAll(".hints[data-prefill]").forEach(function (hints) {
      var field = document.getElementById(hints.id.replace(/-hints$/, "") + "-field");
      if (field && field.value === hints.dataset.prefill) { field.dataset.prefilled = field.value; }
    });
  });

  // For focus-mode.js: save this answer now if it changed (the same rule as leaving it).
  window.uaipAutosave = { save: save };
})();
