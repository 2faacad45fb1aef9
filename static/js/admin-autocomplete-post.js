/* Admin autocomplete by POST: what is typed (a surname, a codice fiscale) travels in the
   request body, never in a URL (security review M7). Django's admin widgets use select2 on
   django.jQuery with GET; this turns their requests to the admin's autocomplete view into
   POSTs carrying the page's CSRF token. Loaded with the autocomplete widgets' media. */
'use strict';
(function () {
  function install() {
    var $ = window.django && window.django.jQuery;
    if (!$ || $.activitycrAutocompletePost) {
      return;
    }
    $.activitycrAutocompletePost = true;
    $.ajaxPrefilter(function (options) {
      var url = options.url || '';
      if (url.indexOf('/autocomplete/') === -1 || url.indexOf('/admin/') === -1) {
        return;
      }
      options.type = 'POST';
      var token = document.querySelector('input[name="csrfmiddlewaretoken"]');
      options.headers = Object.assign({}, options.headers, {
        'X-CSRFToken': token ? token.value : ''
      });
    });
  }
  install();
  document.addEventListener('DOMContentLoaded', install);
})();
