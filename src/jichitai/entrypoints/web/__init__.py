"""The counter (窓口): the staff web UI, server-rendered Japanese HTML on the staff services.

Everything here goes through the same services as the API (permission, suppression, masking,
the access log). Pages carry no personal data in their URLs (a person is named by an encrypted,
session-bound reference; searches are posted) and are sent ``Cache-Control: no-store``; every
form carries a CSRF token. See ``docs/counter.md``.
"""
