// Progressive enhancement only: every form works without this file.
// Branching questions: a question with data-show-if="<question key>" and
// data-show-values="a b" is shown only while that question's answer is one of the values.
// The server drops answers to hidden questions and the registration service checks again.
(function () {
  "use strict";

  function chosen(form, key) {
    var values = [];
    var inputs = form.querySelectorAll('[name="answers.' + key + '"]');
    inputs.forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox")) {
        if (input.checked) { values.push(input.value); }
      } else if (input.value) {
        values.push(input.value);
      }
    });
    return values;
  }

  function refresh(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (block) {
      var wanted = (block.getAttribute("data-show-values") || "").split(" ");
      var given = chosen(form, block.getAttribute("data-show-if"));
      var shown = given.some(function (value) { return wanted.indexOf(value) !== -1; });
      block.hidden = !shown;
      block.querySelectorAll("input, select, textarea").forEach(function (field) {
        field.disabled = !shown;
      });
      var hint = block.querySelector("[data-branch-hint]");
      if (hint) { hint.hidden = true; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-branching]").forEach(function (form) {
      refresh(form);
      form.addEventListener("change", function () { refresh(form); });
    });
    document.querySelectorAll("[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  });
}());
