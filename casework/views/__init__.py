"""The operators' pages, by page family. Thin views: form -> service -> redirect
(post/redirect/get).

* ``desk``: home, a desk's dashboard, the people search;
* ``intake``: the new-intake page (a new person, or one already registered) and the codice
  fiscale decoder behind it;
* ``case``: the case page, the person's edit page, meetings, referrals, closing and
  reopening a case.

Every object comes through the scoped QuerySets (``visible_to(user)``): out of scope is a
404, a missing permission a 403, an anonymous user is sent to the login page. What the form
pages share is in ``casework/editing.py``.
"""
