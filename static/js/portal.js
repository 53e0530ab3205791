// The little JavaScript the portal uses; every page works without it.
(function () {
  "use strict";

  // Copy buttons: <button data-copy="element-id" hidden>. Shown only when they can work.
  function setUpCopyButtons() {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var target = document.getElementById(button.dataset.copy);
      if (!target) return;
      button.hidden = false;
      var label = button.textContent;
      button.addEventListener("click", function () {
        var text = target.value !== undefined ? target.value : target.textContent;
        var done = function () {
          button.textContent = "Copied";
          setTimeout(function () { button.textContent = label; }, 1500);
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(done, function () { selectAndCopy(target, done); });
        } else {
          selectAndCopy(target, done);
        }
      });
    });
  }

  function selectAndCopy(target, done) {
    target.focus();
    target.select();
    try { if (document.execCommand("copy")) done(); } catch (error) { /* the text stays selected */ }
  }

  // Search filters apply as soon as one is ticked; the "Apply filters" button is the no-script path.
  function setUpAutoSubmit() {
    document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
      form.querySelectorAll(".js-hide").forEach(function (element) { element.hidden = true; });
      form.querySelectorAll("input[type=checkbox], select").forEach(function (input) {
        input.addEventListener("change", function () {
          form.requestSubmit ? form.requestSubmit() : form.submit();
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpCopyButtons();
    setUpAutoSubmit();
  });
})();
