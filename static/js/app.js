/* Progressive enhancement only: every page works without this file. No inline scripts. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select.js-autosubmit").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    document.querySelectorAll(".js-hide").forEach(function (el) { el.hidden = true; });
    document.querySelectorAll("[data-confirm]").forEach(function (el) {
      el.addEventListener("click", function (event) {
        if (!window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  });
})();

/* People pickers (checkbox lists marked data-picker): a search box above each list that hides
   the names that do not match. Without this file every name stays listed. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var lists = [];
    document.querySelectorAll("input[data-picker]").forEach(function (input) {
      var list = input.closest("div[id]");
      if (list && lists.indexOf(list) < 0) { lists.push(list); }
    });
    lists.forEach(function (list) {
      var label = list.querySelector("input[data-picker]").getAttribute("data-picker-label") || "";
      var box = document.createElement("input");
      box.type = "search";
      box.className = "picker-search";
      list.classList.add("picker-list");
      box.setAttribute("aria-label", label);
      box.placeholder = label;
      list.parentNode.insertBefore(box, list);
      box.addEventListener("input", function () {
        var needle = box.value.trim().toLowerCase();
        list.querySelectorAll("label").forEach(function (item) {
          var row = item.parentNode === list ? item : item.parentNode;
          row.hidden = needle !== "" && item.textContent.toLowerCase().indexOf(needle) < 0;
        });
      });
    });
  });
})();

/* Menu groups (details under .navgroup): one open at a time; a click elsewhere or Escape closes
   them. Without this file each group still opens and closes by its own name. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var groups = Array.prototype.slice.call(document.querySelectorAll(".navgroup details"));
    if (!groups.length) { return; }
    function closeAll(except) {
      groups.forEach(function (group) { if (group !== except) { group.open = false; } });
    }
    groups.forEach(function (group) {
      group.addEventListener("toggle", function () { if (group.open) { closeAll(group); } });
    });
    document.addEventListener("click", function (event) {
      if (!event.target.closest(".navgroup")) { closeAll(null); }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { closeAll(null); }
    });
  });
})();
