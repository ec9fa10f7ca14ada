// The request form's first step without a reload: choosing what you want shows only that
// part of the form. Without this script the "Continue" button loads the same part from the
// server (privacy_requests.views.RequestCreateView); the paper form uses it for its radios.
(function () {
  "use strict";
  function sections(form) {
    return form ? form.querySelectorAll("[data-kind-section]") : [];
  }
  function show(form, kind) {
    sections(form).forEach(function (section) {
      section.hidden = section.getAttribute("data-kind-section") !== kind;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var chooser = document.getElementById("kind-choice");
    var form = document.getElementById("request-form");
    if (chooser && form) {
      chooser.querySelectorAll("[data-without-script]").forEach(function (button) {
        button.hidden = true;
      });
      chooser.addEventListener("change", function (event) {
        var radio = event.target;
        if (radio.name !== "kind") return;
        var hidden = form.querySelector("input[type=hidden][name=kind]");
        if (hidden) hidden.value = radio.value;
        show(form, radio.value);
        form.hidden = false;
        if (window.history && window.history.replaceState) {
          var url = new URL(window.location.href);
          url.searchParams.set("kind", radio.value);
          window.history.replaceState(null, "", url.toString());
        }
      });
      return;
    }
    // A form with the kind as radios in it (the paper form): show the chosen part only.
    document.querySelectorAll("form").forEach(function (paper) {
      var radios = paper.querySelectorAll("input[type=radio][name=kind]");
      if (!radios.length || !sections(paper).length) return;
      var checked = paper.querySelector("input[type=radio][name=kind]:checked");
      show(paper, checked ? checked.value : "");
      radios.forEach(function (radio) {
        radio.addEventListener("change", function () {
          show(paper, radio.value);
        });
      });
    });
  });
})();
