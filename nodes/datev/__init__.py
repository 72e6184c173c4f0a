"""DATEV: a period's invoices and payments as the booking batch a German tax advisor imports.

No API and no account: the batch is a file (EXTF "Buchungsstapel", see :mod:`nodes.datev.extf`)
built from what earlier steps read from the shop or the accounting system, checked against
the format's rules, and kept as a file for an e-mail or an upload.
"""

from __future__ import annotations

from nodes.kit.base import Connector

datev = Connector("datev", http_api=False)

from nodes.datev import actions  # noqa: E402, F401  (it declares the node)
