// Behaviour for the console pages: copy buttons, dismissable flashes, and the
// sign-in form's root/IAM toggle. No inline scripts anywhere (CSP-ready).
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var copy = event.target.closest("[data-copy]");
    if (copy) {
      var text = copy.getAttribute("data-copy");
      var done = function () { copy.classList.add("copied"); setTimeout(function () { copy.classList.remove("copied"); }, 1500); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, done);
      } else {
        var area = document.createElement("textarea");
        area.value = text; document.body.appendChild(area); area.select();
        try { document.execCommand("copy"); } catch (e) { /* nothing to do */ }
        document.body.removeChild(area); done();
      }
    }
    var dismiss = event.target.closest(".flash-dismiss");
    if (dismiss) { dismiss.closest(".flash").remove(); }
  });

  var form = document.querySelector("[data-signin-form]");
  if (form) {
    var show = function () {
      var checked = form.querySelector("input[name=kind]:checked");
      var kind = checked ? checked.value : "root";
      form.querySelectorAll("[data-kind]").forEach(function (block) {
        block.hidden = block.getAttribute("data-kind") !== kind;
      });
    };
    form.addEventListener("change", show);
    show();
  }
})();

// Typed-name confirmations: Delete stays disabled until the name is typed.
(function () {
  "use strict";
  document.addEventListener("input", function (event) {
    var field = event.target.closest("[data-confirm-expected]");
    if (!field) { return; }
    var form = field.closest("[data-confirm-form]");
    var button = form && form.querySelector("[data-confirm-submit]");
    if (button) { button.disabled = field.value !== field.getAttribute("data-confirm-expected"); }
  });

  // Tables with selection: the actions that need a selection follow the checkboxes.
  document.addEventListener("change", function (event) {
    var box = event.target;
    var table = box.closest("[data-selectable]");
    if (!table) { return; }
    if (box.hasAttribute("data-select-all")) {
      table.querySelectorAll("input[data-select-row]").forEach(function (row) { row.checked = box.checked; });
    }
    var chosen = table.querySelectorAll("input[data-select-row]:checked").length;
    var scope = document.querySelector(table.getAttribute("data-selectable")) || document;
    scope.querySelectorAll("[data-needs-selection]").forEach(function (action) { action.disabled = chosen === 0; });
    scope.querySelectorAll("[data-selection-count]").forEach(function (label) { label.textContent = chosen; });
  });
})();

// Secrets are hidden until asked for, like the console's "Show".
document.addEventListener("click", function (event) {
  "use strict";
  var reveal = event.target.closest("[data-reveal]");
  if (!reveal) { return; }
  var secret = reveal.parentElement.querySelector("[data-secret]");
  if (!secret) { return; }
  var hidden = secret.classList.toggle("is-hidden");
  reveal.textContent = hidden ? "Show" : "Hide";
});

// Wizards: one step at a time, with Previous/Next; without JavaScript every
// step shows and the form still posts as one.
(function () {
  "use strict";
  var wizard = document.querySelector("[data-wizard]");
  if (!wizard) { return; }
  var form = wizard.querySelector("form");
  var steps = wizard.querySelectorAll("[data-step]");
  var links = wizard.querySelectorAll("[data-step-link]");
  var current = 1;
  var label = function (name) {
    var field = form.elements[name];
    if (!field) { return ""; }
    if (field.type === "checkbox") { return field.checked ? "Yes" : "No"; }
    if (field.length && field[0] && field[0].type === "radio") {
      var chosen = Array.prototype.find.call(field, function (r) { return r.checked; });
      return chosen ? chosen.parentElement.textContent.trim().split("\n")[0] : "";
    }
    return field.value;
  };
  var show = function (number) {
    if (number > current) {
      var active = wizard.querySelector('[data-step="' + current + '"]');
      var invalid = active && Array.prototype.find.call(active.querySelectorAll("[required]"), function (f) { return !f.value.trim(); });
      if (invalid) { invalid.classList.add("is-invalid"); invalid.focus(); return; }
    }
    current = number;
    steps.forEach(function (step) { step.hidden = Number(step.getAttribute("data-step")) !== current; });
    links.forEach(function (link) { link.classList.toggle("active", Number(link.getAttribute("data-step-link")) === current); });
    wizard.querySelector("[data-wizard-prev]").hidden = current === 1;
    wizard.querySelector("[data-wizard-next]").hidden = current === steps.length;
    wizard.querySelector("[data-wizard-submit]").hidden = current !== steps.length;
    wizard.querySelectorAll("[data-review-of]").forEach(function (cell) { cell.textContent = label(cell.getAttribute("data-review-of")) || "-"; });
    window.scrollTo(0, 0);
  };
  var options = function () {
    var chosen = form.querySelector("input[name=permissions_option]:checked");
    wizard.querySelectorAll("[data-show-option]").forEach(function (block) {
      block.hidden = !chosen || block.getAttribute("data-show-option") !== chosen.value;
    });
    var console = form.elements.console_access;
    wizard.querySelectorAll('[data-show-if="console_access"]').forEach(function (block) { block.hidden = console && !console.checked; });
  };
  wizard.querySelector("[data-wizard-next]").addEventListener("click", function () { show(current + 1); });
  wizard.querySelector("[data-wizard-prev]").addEventListener("click", function () { show(current - 1); });
  form.addEventListener("change", options);
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.tagName === "INPUT" && current !== steps.length) { event.preventDefault(); show(current + 1); }
  });
  options();
  show(1);
})();

// Filter boxes over long pick lists.
document.addEventListener("input", function (event) {
  "use strict";
  var box = event.target.closest("[data-filter-list]");
  if (!box) { return; }
  var term = box.value.toLowerCase();
  document.querySelectorAll(box.getAttribute("data-filter-list") + " .choice").forEach(function (item) {
    item.hidden = term && item.textContent.toLowerCase().indexOf(term) === -1;
  });
});

// The policy editor: findings from the server's validator, as you type.
(function () {
  "use strict";
  var editor = document.querySelector("[data-policy-editor]");
  var panel = document.querySelector("[data-findings]");
  if (!editor || !panel) { return; }
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  var timer = null;
  var check = function () {
    var body = new URLSearchParams();
    body.set("policy_document", editor.value);
    body.set("kind", panel.getAttribute("data-kind") || "managed");
    fetch(panel.getAttribute("data-validate-url"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" }
    }).then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) { panel.innerHTML = html; } });
  };
  editor.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(check, 400); });
  editor.addEventListener("keydown", function (event) {
    if (event.key === "Tab") {
      event.preventDefault();
      var start = editor.selectionStart;
      editor.setRangeText("    ", start, editor.selectionEnd, "end");
    }
  });
})();

document.addEventListener("change", function (event) {
  "use strict";
  var select = event.target.closest("[data-autosubmit]");
  if (select) { select.form.submit(); }
});

// Create-role: show the settings of the chosen kind of trusted entity.
(function () {
  "use strict";
  var blocks = document.querySelectorAll("[data-show-entity]");
  if (!blocks.length) { return; }
  var sync = function () {
    var chosen = document.querySelector("input[name=entity]:checked");
    blocks.forEach(function (block) { block.hidden = !chosen || block.getAttribute("data-show-entity") !== chosen.value; });
  };
  document.addEventListener("change", function (event) { if (event.target.name === "entity") { sync(); } });
  sync();
})();
