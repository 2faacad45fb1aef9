/* Accessible names for what Django's admin scripts draw without one (issue 12 item 8).

   - The autocomplete widgets (select2): the box a user tabs to is a role="combobox" named
     only by the text of the current choice, which is empty on a new form. It is named by
     the field's label (or, in a table row, by the select's aria-label) and then the choice.
   - The two-list pickers (filter_horizontal): their search icons carry an aria-label on a
     plain <span>, which ARIA does not allow; they become images with that name. */
'use strict';
(function () {
  var counter = 0;

  function nameOf(select) {
    var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
    var text = label ? label.textContent : select.getAttribute('aria-label') || '';
    return text.replace(/[:\s]+$/, '').trim();
  }

  function nameComboboxes(root) {
    root.querySelectorAll('select.admin-autocomplete').forEach(function (select) {
      var container = select.nextElementSibling;
      var box = container ? container.querySelector('.select2-selection[role="combobox"]') : null;
      if (!box || box.dataset.named) {
        return;
      }
      var name = document.createElement('span');
      counter += 1;
      name.id = 'combobox-name-' + counter;
      name.hidden = true;
      name.textContent = nameOf(select);
      container.appendChild(name);
      var choice = box.querySelector('.select2-selection__rendered');
      box.setAttribute('aria-labelledby', name.id + (choice && choice.id ? ' ' + choice.id : ''));
      if (choice) {
        // The current choice is drawn as a read-only textbox: it is named by the label too.
        choice.setAttribute('aria-labelledby', name.id);
      }
      box.dataset.named = '1';
    });
  }

  function fixSearchIcons(root) {
    root.querySelectorAll('.search-label-icon[aria-label]:not([role])').forEach(function (icon) {
      icon.setAttribute('role', 'img');
    });
  }

  function fix(root) {
    nameComboboxes(root);
    fixSearchIcons(root);
  }

  // Django's scripts draw these when the page is ready (select2) or loaded (the pickers),
  // and again in each inline row added: run after each of them.
  document.addEventListener('DOMContentLoaded', function () {
    window.setTimeout(function () { fix(document); }, 0);
  });
  window.addEventListener('load', function () {
    window.setTimeout(function () { fix(document); }, 0);
  });
  document.addEventListener('formset:added', function (event) {
    window.setTimeout(function () { fix(event.target); }, 0);
  });
})();
