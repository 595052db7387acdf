// The top bar's search: suggestions as you type, rendered by the server
// (/iam/search/suggest/), in an ARIA combobox: ArrowDown/ArrowUp move through
// the options, Enter opens the chosen one (or, with none chosen, the full
// results page the form submits to), Escape closes the list, "/" focuses it.
(function () {
  "use strict";
  var box = document.querySelector("[data-search]");
  if (!box) { return; }
  var input = box.querySelector("[data-search-input]");
  var popup = document.getElementById(input.getAttribute("aria-controls"));
  var url = box.getAttribute("data-suggest-url");
  var timer = null;
  var asked = 0;
  var shownFor = null;
  var active = -1;
  var pending = null;

  var options = function () { return popup.querySelectorAll("[role=option]"); };

  var setActive = function (index) {
    var list = options();
    active = index;
    list.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
      option.classList.toggle("is-active", i === index);
    });
    if (index >= 0 && list[index]) {
      input.setAttribute("aria-activedescendant", list[index].id);
      list[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  };

  var show = function (open) {
    popup.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) { setActive(-1); }
  };

  // Ask the server; an answer to an older question is dropped.
  var suggest = function () {
    clearTimeout(timer);
    var query = input.value.trim();
    if (!query) {
      popup.innerHTML = ""; shownFor = null; show(false);
      return Promise.resolve();
    }
    if (query === shownFor) { show(options().length > 0); return pending || Promise.resolve(); }
    var ticket = ++asked;
    pending = fetch(url + "?q=" + encodeURIComponent(query), {
      credentials: "same-origin", headers: { "Accept": "text/html" }
    }).then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null || ticket !== asked) { return; }
        popup.innerHTML = html;
        shownFor = query;
        active = -1;
        show(document.activeElement === input && options().length > 0);
      })
      .catch(function () { /* the full results page still works */ });
    return pending;
  };

  var move = function (step) {
    var list = options();
    if (!list.length) { return; }
    show(true);
    var next = active + step;
    if (next >= list.length) { next = 0; }
    if (next < 0) { next = list.length - 1; }
    setActive(next);
  };

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(suggest, 200);
  });
  input.addEventListener("focus", function () { if (input.value.trim()) { suggest(); } });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      // Typed faster than the pause that asks: ask now, then move.
      if (input.value.trim() !== shownFor) { suggest().then(function () { move(step); }); } else { move(step); }
    } else if (event.key === "Enter") {
      var chosen = options()[active];
      if (!popup.hidden && chosen) {
        event.preventDefault();
        window.location.assign(chosen.getAttribute("href"));
      }
    } else if (event.key === "Escape") {
      if (!popup.hidden) { event.preventDefault(); show(false); } else { input.value = ""; }
    }
  });
  popup.addEventListener("mousemove", function (event) {
    var option = event.target.closest("[role=option]");
    if (option) { setActive(Array.prototype.indexOf.call(options(), option)); }
  });
  document.addEventListener("mousedown", function (event) {
    if (!box.contains(event.target)) { show(false); }
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (target.closest("input, textarea, select, [contenteditable]")) { return; }
    event.preventDefault();
    input.focus();
    input.select();
  });
})();
