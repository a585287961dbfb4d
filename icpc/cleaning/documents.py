"""What the ``document_type`` column says: invoices, credit notes, and the documents that are
no sale (orders, quotes, delivery notes, pro forma).

An ERP's export of its sales documents often lists every kind: the order, its delivery
note and its invoice carry the same amount, so summed together a sale would count two or
three times. Only invoices and credit notes are revenue; the others are excluded with the
reason :data:`NOT_INVOICE`, their amounts counted in the ledger. Credit notes are negative
amounts (the contract of ``amount``): an export that writes them all as positive amounts is
read with their sign restored, and says so; one that writes some positive and some
negative is read as written, and the positive ones are named.

Each distinct value is told by its words (folded: case and accents aside), the documents
that are no sale first (« Facture pro forma » is no invoice), then credit notes
(« Facture d'avoir » is one), then invoices; a value none of them names is kept as a sale
and listed in the ledger's details, with the kind found for every other value.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa

from icpc.text import fold

__all__ = [
    "CREDIT",
    "INVOICE",
    "KIND_CODES",
    "NOT_INVOICE",
    "OTHER",
    "W_CREDIT_WRITTEN_POSITIVE",
    "W_CREDIT_POSITIVE",
    "document_kinds",
]

#: the ledger reason of the rows of documents that are no sale
NOT_INVOICE = "not an invoice (order, quote, delivery note)"
W_CREDIT_WRITTEN_POSITIVE = "credit notes written as positive amounts, counted negative"
W_CREDIT_POSITIVE = "credit notes with a positive amount, kept as written"

INVOICE, CREDIT, OTHER, UNKNOWN = "invoice", "credit note", "not an invoice", "unknown"

_WORDS = {
    OTHER: r"commandes?|cdes?|cmd|bc|bon de commande|orders?|purchase orders?|devis|quotes?|"
    r"quotations?|estimates?|offres?|propositions?|bons? de livraison|bl|livraisons?|"
    r"deliver(?:y|ies)|delivery notes?|pro ?-?forma|proforma|preparations?|reservations?",
    CREDIT: r"avoirs?|credits?|notes? de credit|credit notes?|av|cn|refunds?|remboursements?|"
    r"retours?|returns?",
    INVOICE: r"factures?|fa|fac|fact|invoices?|inv|tickets?|ventes?|sales?",
}
_PATTERNS = {
    kind: re.compile(rf"(?:^|[^a-z0-9])(?:{words})(?:$|[^a-z0-9])")
    for kind, words in _WORDS.items()
}


def kind_of(value: str) -> str:
    """The kind of one ``document_type`` value.

    Example
    -------
    >>> [kind_of(v) for v in ["Facture", "AVOIR", "Facture d'avoir", "Facture pro forma",
    ...                       "Bon de livraison", "BL", "Commande client", "Note", "FA"]]
    ['invoice', 'credit note', 'credit note', 'not an invoice', 'not an invoice', \
'not an invoice', 'not an invoice', 'unknown', 'invoice']
    """
    folded = fold(value).replace("_", " ").replace("-", " ")
    for kind in (OTHER, CREDIT, INVOICE):
        if _PATTERNS[kind].search(folded):
            return kind
    return UNKNOWN


#: the kinds as small integers, for the rows (millions of them: no text per row)
KIND_CODES = {"": 0, INVOICE: 1, CREDIT: 2, OTHER: 3, UNKNOWN: 4}


def document_kinds(codes: np.ndarray, dictionary: pa.Array) -> tuple[np.ndarray, dict[str, str]]:
    """The kind of each row, as :data:`KIND_CODES` (0 where the cell is empty), and of each
    distinct value.

    Parameters
    ----------
    codes : numpy.ndarray of int
        The ``document_type`` codes (-1: empty).
    dictionary : pyarrow.Array
        Their distinct values.

    Returns
    -------
    kinds : numpy.ndarray of int8
        The :data:`KIND_CODES` of each row's kind.
    found : dict of str to str
        Each distinct value and its kind (the ledger's details).
    """
    values = [str(v) for v in dictionary.to_pylist()]
    per_value = [kind_of(v) for v in values]
    lookup = np.array([*(KIND_CODES[k] for k in per_value), 0], dtype=np.int8)
    kinds = lookup[np.where(codes >= 0, codes, len(per_value))]
    return kinds, dict(zip(values, per_value, strict=True))
