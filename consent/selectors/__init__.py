"""Reads of consent, by concern: ``status`` (the rules of the effective status), ``guardians``
(a child's consent and who may record it), ``dashboards`` (school and board), ``publications``
(photo lists, publications, takedowns) and ``campaigns`` (the director's purposes and
campaigns). Import from the module that holds the function."""
