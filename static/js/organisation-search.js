/*
 * Organisation search as a WAI-ARIA 1.2 combobox (list autocomplete, listbox popup).
 *
 * Progressive enhancement of templates/applications/_organisation_search.html: without this
 * script the "Suchen" button asks the server for the hits (radio buttons). With it, typing asks
 * applications:organisation_search (JSON) and shows the hits in a listbox; arrow keys move,
 * Enter chooses, Escape closes; a live region announces the number of hits. Choosing fills the
 * organisation's id into the hidden field "organisation". Messages come from data attributes
 * (translated in the template).
 */
(function () {
  "use strict";

  var MIN_LENGTH = 2;
  var DELAY_MS = 200;

  function enhance(container) {
    var input = container.querySelector("input[type=search]");
    var label = container.querySelector("label[for='" + input.id + "']");
    var searchButton = container.querySelector("button[type=submit]");
    var fieldName = container.dataset.fieldName;
    var listbox = document.createElement("ul");
    var status = document.createElement("div");
    var options = [];
    var active = -1;
    var timer = null;
    var request = null;

    label.id = label.id || input.id + "_label";
    listbox.id = input.id + "_listbox";
    listbox.setAttribute("role", "listbox");
    listbox.setAttribute("aria-labelledby", label.id);
    listbox.className = "list-group organisation-search-listbox";
    listbox.hidden = true;
    status.setAttribute("role", "status");
    status.className = "visually-hidden";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);
    input.parentNode.parentNode.insertBefore(listbox, input.parentNode.nextSibling);
    container.appendChild(status);
    // The combobox replaces the button; without it, Enter in another field registers instead of searching.
    if (searchButton) {
      searchButton.remove();
    }

    function hiddenField() {
      var field = container.querySelector("input[type=hidden][name='" + fieldName + "']");
      if (!field) {
        field = document.createElement("input");
        field.type = "hidden";
        field.name = fieldName;
        container.appendChild(field);
      }
      return field;
    }

    function clearChoice() {
      // Only an existing hidden field: beside the server's radio buttons a new one would post a second value.
      var field = container.querySelector("input[type=hidden][name='" + fieldName + "']");
      if (field) {
        field.value = "";
      }
    }

    function announce(text) {
      status.textContent = text;
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
        option.classList.toggle("active", i === index);
      });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var option = options[index];
      var hits = container.querySelector("[data-organisation-hits]");
      if (hits) {
        hits.remove(); // the server's radio buttons would post a second value
      }
      hiddenField().value = option.dataset.id;
      input.value = option.dataset.label;
      close();
      announce(container.dataset.chosen.replace("{label}", option.dataset.label));
    }

    function show(results) {
      listbox.textContent = "";
      options = results.map(function (result, i) {
        var option = document.createElement("li");
        option.id = listbox.id + "_" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.className = "list-group-item list-group-item-action";
        option.dataset.id = result.id;
        option.dataset.label = result.label;
        option.textContent = result.label;
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the input
        });
        option.addEventListener("click", function () {
          choose(i);
        });
        listbox.appendChild(option);
        return option;
      });
      active = -1;
      if (options.length) {
        listbox.hidden = false;
        input.setAttribute("aria-expanded", "true");
      } else {
        close();
      }
      announce(
        options.length === 0
          ? container.dataset.none
          : options.length === 1
            ? container.dataset.one
            : container.dataset.many.replace("{count}", options.length),
      );
    }

    function search() {
      var term = input.value.trim();
      if (request) {
        request.abort();
      }
      if (term.length < MIN_LENGTH) {
        show([]);
        announce("");
        return;
      }
      request = new AbortController();
      fetch(container.dataset.url + "?q=" + encodeURIComponent(term), {
        headers: { Accept: "application/json" },
        signal: request.signal,
      })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (data) {
          show(data.results);
        })
        .catch(function () {});
    }

    input.addEventListener("input", function () {
      clearChoice(); // a changed text no longer names the chosen organisation
      clearTimeout(timer);
      timer = setTimeout(search, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      var open = !listbox.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open && options.length) {
          listbox.hidden = false;
          input.setAttribute("aria-expanded", "true");
        }
        if (options.length) {
          highlight((active + 1) % options.length);
        }
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (options.length) {
          listbox.hidden = false;
          input.setAttribute("aria-expanded", "true");
          highlight(active <= 0 ? options.length - 1 : active - 1);
        }
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          event.preventDefault();
          choose(active);
        } else if (open || input.value.trim().length >= MIN_LENGTH) {
          event.preventDefault(); // Enter in the search field searches, never registers half-filled
          search();
        }
      } else if (event.key === "Escape") {
        if (open) {
          event.preventDefault();
          close();
        } else if (input.value) {
          event.preventDefault();
          clearTimeout(timer);
          if (request) {
            request.abort(); // an answer on its way must not reopen the list
          }
          input.value = "";
          clearChoice();
        }
      }
    });

    input.addEventListener("blur", function () {
      close();
    });
  }

  document.querySelectorAll("[data-organisation-search]").forEach(enhance);
})();
