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
import pandas as pd
import pyarrow as pa

from icpc import columns as C
from icpc.money import exact, positive_cents
from icpc.text import fold

__all__ = [
    "CREDIT",
    "INVOICE",
    "KIND_CODES",
    "NOT_INVOICE",
    "OTHER",
    "W_CREDIT_WRITTEN_POSITIVE",
    "W_CREDIT_POSITIVE",
    "document_index",
    "document_kinds",
    "invoice_rows",
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


def _int_codes(series: pd.Series) -> np.ndarray:
    """Category codes as int64 (-1 for null)."""
    return np.asarray(series.cat.codes, dtype=np.int64)


#: an invoice number carried by more customers than this is split with a hash (rare)
_MAX_PASSES = 4


def document_index(transactions: pd.DataFrame) -> tuple[np.ndarray, int]:
    """Document number of each row (0..n_documents-1).

    A document is an (invoice number, customer) pair; rows without invoice number are a
    document each. Without ``invoice_id``, a row is a document. Vectorised without
    hashing (pairs): each pass gives every invoice number one "owner" customer among the
    rows not yet placed (a scatter), and places the rows of that customer; an invoice
    number of one customer — the usual case — needs a single pass. Numbering: by pass,
    then invoice category; then pairs left after :data:`_MAX_PASSES` passes; then rows
    without invoice number.

    Parameters
    ----------
    transactions : DataFrame
        Canonical transactions (``customer_id`` category, optional ``invoice_id`` category).

    Returns
    -------
    (ndarray of int64, int)
        The document number of each row and the number of documents.
    """
    n_rows = len(transactions)
    if C.INVOICE_ID not in transactions.columns:
        return np.arange(n_rows, dtype=np.int64), n_rows
    cust = _int_codes(transactions[C.CUSTOMER_ID])
    inv = _int_codes(transactions[C.INVOICE_ID])
    n_inv = max(len(transactions[C.INVOICE_ID].cat.categories), 1)
    missing = inv < 0
    owner = np.empty(n_inv, dtype=np.int64)
    if not missing.any():
        owner[inv] = cust
        if (cust == owner[inv]).all():  # the usual case: one customer per invoice number
            used = np.zeros(n_inv, dtype=bool)
            used[inv] = True
            remap = np.cumsum(used) - 1
            return remap[inv], int(remap[-1]) + 1 if n_rows else 0
    # dense key: pass * n_inv + invoice, for the rows placed in that pass
    key = np.full(n_rows, -1, dtype=np.int64)
    remaining = np.flatnonzero(~missing)
    passes = 0
    while len(remaining) and passes < _MAX_PASSES:
        inv_r, cust_r = inv[remaining], cust[remaining]
        owner[inv_r] = cust_r  # one of the customers of each invoice number
        mine = cust_r == owner[inv_r]
        key[remaining[mine]] = passes * n_inv + inv_r[mine]
        remaining = remaining[~mine]
        passes += 1
    placed = key >= 0
    used = np.zeros(passes * n_inv, dtype=bool)
    used[key[placed]] = True
    remap = np.cumsum(used) - 1
    n_docs = int(used.sum())
    doc = np.empty(n_rows, dtype=np.int64)
    doc[placed] = remap[key[placed]]
    if len(remaining):  # invoice numbers shared by many customers
        codes, uniques = pd.factorize(cust[remaining] * n_inv + inv[remaining], sort=False)
        doc[remaining] = n_docs + codes
        n_docs += len(uniques)
    n_missing = int(missing.sum())
    if n_missing:
        doc[missing] = n_docs + np.arange(n_missing, dtype=np.int64)
        n_docs += n_missing
    return doc, n_docs


def invoice_rows(transactions: pd.DataFrame) -> np.ndarray:
    """The rows of the customers' invoices: the lines of the documents
    (:func:`document_index`) whose total rounded to the cent is > 0 — the sale documents
    of :func:`icpc.analysis.documents.documents` — as a bool array. Credit notes and
    documents that cancel out are not invoices."""
    doc, n_docs = document_index(transactions)
    amounts = np.asarray(transactions[C.AMOUNT], dtype=np.float64)
    return positive_cents(exact(np.bincount(doc, weights=amounts, minlength=n_docs)))[doc]
