// The policy simulator page: mode switch, principal and action pickers, result
// details. The page works without it (every section shows, details stay as
// rendered); this only makes it quicker to use.
(function () {
  "use strict";
  var form = document.querySelector("[data-simulator]");
  if (!form) { return; }

  var showMode = function () {
    var chosen = form.querySelector("input[name=mode]:checked");
    var mode = chosen ? chosen.value : "principal";
    form.querySelectorAll("[data-mode-panel]").forEach(function (panel) {
      panel.hidden = panel.getAttribute("data-mode-panel") !== mode;
    });
  };

  // A picked principal and a typed ARN are alternatives: choosing one clears the other.
  var typedArn = form.querySelector("[data-principal-arn]");
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.name === "mode") { showMode(); }
    if (target.name === "principal" && typedArn) { typedArn.value = ""; }
    if (target.name === "actions") { countActions(); }
  });
  if (typedArn) {
    typedArn.addEventListener("input", function () {
      if (!typedArn.value) { return; }
      form.querySelectorAll("input[name=principal]").forEach(function (radio) { radio.checked = false; });
    });
  }

  var counter = form.querySelector("[data-action-count]");
  var countActions = function () {
    if (counter) {
      counter.textContent = "(" + form.querySelectorAll("input[name=actions]:checked").length + " selected)";
    }
  };

  // The action filter searches every access level and opens the ones that match.
  var filter = form.querySelector("[data-action-filter]");
  if (filter) {
    filter.addEventListener("input", function () {
      var term = filter.value.trim().toLowerCase();
      form.querySelectorAll("[data-service-group]").forEach(function (service) {
        var serviceHits = 0;
        service.querySelectorAll("[data-level-group]").forEach(function (level) {
          var hits = 0;
          level.querySelectorAll(".sim-action").forEach(function (item) {
            var match = !term || item.querySelector("input").value.toLowerCase().indexOf(term) !== -1;
            item.hidden = !match;
            if (match) { hits += 1; }
          });
          level.hidden = hits === 0;
          if (term) { level.open = hits > 0; }
          serviceHits += hits;
        });
        service.hidden = serviceHits === 0;
      });
    });
    // Enter in the filter should not run the simulation half-chosen.
    filter.addEventListener("keydown", function (event) { if (event.key === "Enter") { event.preventDefault(); } });
  }
  var clear = form.querySelector("[data-clear-actions]");
  if (clear) {
    clear.addEventListener("click", function () {
      form.querySelectorAll("input[name=actions]:checked").forEach(function (box) { box.checked = false; });
      countActions();
    });
  }

  // Resource shortcuts: "*" and the chosen principal's (or caller's) own ARN.
  var resources = form.querySelector("textarea[name=resources]");
  var addResource = function (value) {
    if (!resources || !value) { return; }
    var lines = resources.value.split("\n").map(function (l) { return l.trim(); }).filter(Boolean);
    if (value !== "*") { lines = lines.filter(function (l) { return l !== "*"; }); }
    if (lines.indexOf(value) === -1) { lines.push(value); }
    resources.value = lines.join("\n");
  };
  form.addEventListener("click", function (event) {
    var star = event.target.closest("[data-add-resource]");
    if (star) { addResource(star.getAttribute("data-add-resource")); }
    if (event.target.closest("[data-add-principal-resource]")) {
      var picked = form.querySelector("input[name=principal]:checked");
      var mode = form.querySelector("input[name=mode]:checked");
      var caller = form.querySelector("input[name=caller_arn]");
      var arn = mode && mode.value === "custom" ? (caller && caller.value.trim())
        : ((typedArn && typedArn.value.trim()) || (picked && picked.value));
      addResource(arn);
    }
  });

  // Result rows open and close their details.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest(".sim-toggle");
    if (!toggle) { return; }
    var detail = document.getElementById(toggle.getAttribute("aria-controls"));
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (detail) { detail.hidden = !open; }
  });

  showMode();
  countActions();
})();
