// A "Copy" button copies the field its data-copy names, and says so.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    const target = document.getElementById(button.dataset.copy);
    target.addEventListener("focus", function () { target.select(); });
    button.addEventListener("click", function () {
      const field = document.getElementById(button.dataset.copy);
      field.select();
      const done = function () { button.textContent = "Copied"; };
      if (navigator.clipboard) {
        navigator.clipboard.writeText(field.value).then(done, function () { button.textContent = "Select and copy by hand"; });
      } else if (document.execCommand("copy")) {
        done();
      }
    });
  });
})();
