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
