/* Accessible names for the admin's autocomplete fields (select2).
 *
 * select2 replaces the <select> with a combobox named only by its current value (empty before a
 * choice), and its search box has no name at all. The combobox is named by the field's <label>
 * plus the value; the search box "<label> suchen". Loaded with "defer", so its ready handler is
 * registered after (and runs after) the one with which Django's autocomplete.js sets select2 up.
 */
(function () {
  "use strict";

  function labelFor(select) {
    var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
    if (label && !label.id) {
      label.id = select.id + "_label";
    }
    return label;
  }

  function nameCombobox(select) {
    var label = labelFor(select);
    var combobox = comboboxOf(select);
    if (!label || !combobox) {
      return;
    }
    var value = combobox.getAttribute("aria-labelledby");
    combobox.setAttribute("aria-labelledby", value ? label.id + " " + value : label.id);
    // The value inside the combobox is a read-only textbox; it is named by the same label.
    var rendered = value ? document.getElementById(value) : null;
    if (rendered) {
      rendered.setAttribute("aria-labelledby", label.id);
    }
  }

  function comboboxOf(select) {
    var container = select.nextElementSibling;
    return container ? container.querySelector('[role="combobox"]') : null;
  }

  function nameSearchBox(select) {
    var label = labelFor(select);
    var search = document.querySelector(".select2-container--open .select2-search__field");
    if (label && search) {
      search.setAttribute("aria-label", label.textContent.replace(/[:*\s]+$/, "").trim() + " suchen");
    }
  }

  function start() {
    var selects = document.querySelectorAll("select.admin-autocomplete");
    selects.forEach(function (select) {
      if (select.name.indexOf("__prefix__") === -1) {
        nameCombobox(select);
      }
    });
    if (window.django && window.django.jQuery) {
      var $ = window.django.jQuery;
      $(document).on("select2:open", "select.admin-autocomplete", function (event) {
        nameSearchBox(event.target);
        // An expanded combobox names the list it controls (ARIA 1.2).
        var combobox = comboboxOf(event.target);
        var results = document.querySelector(".select2-container--open .select2-results__options");
        if (combobox && results && results.id) {
          combobox.setAttribute("aria-controls", results.id);
        }
      });
      $(document).on("select2:close", "select.admin-autocomplete", function (event) {
        var combobox = comboboxOf(event.target);
        if (combobox) {
          combobox.removeAttribute("aria-controls");
        }
      });
    }
  }

  // Only pages with an autocomplete field load jQuery (and select2) at all.
  if (window.django && window.django.jQuery) {
    window.django.jQuery(start);
  }
})();
