// Progress in percent while a form with files is sent (Circular 32/2017: an
// operation that can take over 10 seconds shows its progress). The one
// script of the pages, loaded from this origin (CSP script-src 'self'):
// progressive enhancement only. Without it the form posts as usual and the
// server answers the same pages.
(function () {
  "use strict";
  if (!window.XMLHttpRequest || !window.FormData || !window.DOMParser) {
    return;
  }

  // Sends `form` with its files, showing the percent sent in `box`.
  function send(form, box) {
    var bar = box.querySelector("progress");
    var percent = box.querySelector(".upload-progress__percent");
    var button = form.querySelector("button[type=submit]");
    var show = function (value) {
      bar.value = value;
      percent.textContent = value + "%";
    };
    box.hidden = false;
    show(0);
    if (button) {
      button.disabled = true;
    }
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable && e.total > 0) {
        show(Math.floor((e.loaded * 100) / e.total));
      }
    });
    request.addEventListener("load", function () {
      show(100);
      var moved = request.responseURL && request.responseURL !== form.action;
      if (moved && request.status < 400) {
        // Done: the server sent the dossier's page (303 See Other).
        window.location.assign(request.responseURL);
        return;
      }
      // The form again with its errors, or a page saying what failed: it
      // replaces this one, and its forms are enhanced in turn.
      var page = new DOMParser().parseFromString(request.responseText, "text/html");
      document.title = page.title;
      document.replaceChild(document.adoptNode(page.documentElement), document.documentElement);
      window.scrollTo(0, 0);
      enhance(document);
    });
    request.addEventListener("error", function () {
      // No answer at all: post the form the plain way instead.
      box.hidden = true;
      if (button) {
        button.disabled = false;
      }
      form.submit();
    });
    request.send(new FormData(form));
  }

  // Every form that names its progress box (`data-tien-do`).
  function enhance(root) {
    var forms = root.querySelectorAll("form[data-tien-do]");
    Array.prototype.forEach.call(forms, function (form) {
      form.addEventListener("submit", function (event) {
        var box = document.getElementById(form.getAttribute("data-tien-do"));
        if (box) {
          event.preventDefault();
          send(form, box);
        }
      });
    });
  }

  enhance(document);
})();

// The commune list shows only the chosen province's communes (its
// optgroup), and a commune of another province is unselected when the
// province changes. Without the script every province's group is listed
// and the server names a commune that does not belong to the province.
(function () {
  "use strict";
  var province = document.getElementById("tinh");
  var commune = document.getElementById("xa");
  if (!province || !commune || !commune.querySelectorAll) {
    return;
  }
  function narrow() {
    var groups = commune.querySelectorAll("optgroup");
    for (var i = 0; i < groups.length; i++) {
      var mine = groups[i].getAttribute("data-tinh") === province.value;
      groups[i].hidden = !mine;
      groups[i].disabled = !mine;
      if (!mine && commune.selectedOptions && commune.selectedOptions[0] &&
          commune.selectedOptions[0].parentNode === groups[i]) {
        commune.value = "";
      }
    }
  }
  province.addEventListener("change", narrow);
  narrow();
})();
