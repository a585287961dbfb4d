"""Group invoice lines into *documents* (pièces : factures, avoirs).

A document is an ``invoice_id`` of one customer when that column is mapped, else a single
row (a row whose ``invoice_id`` is null is its own document). Its date is the date of its
earliest line; its amount is the total of its lines, rounded to the cent; it is a *sale*
(vente) when that total is > 0 (docs/definitions.md).

Everything is vectorised on integer codes: no Python loop over rows, invoices or
customers.

Example
-------
>>> import pandas as pd
>>> tx = pd.DataFrame({
...     "customer_id": pd.Categorical(["A", "A", "B"]),
...     "date": pd.to_datetime(["2024-01-02", "2024-01-01", "2024-01-05"]),
...     "amount": [10.0, 5.0, -3.0],
...     "invoice_id": pd.Categorical(["F1", "F1", "AV1"]),
... })
>>> documents(tx)[["customer_id", "amount", "is_sale"]]
  customer_id  amount  is_sale
0           B    -3.0    False
1           A    15.0     True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from icpc import columns as C
from icpc.cleaning.documents import document_index
from icpc.money import exact, positive_cents

__all__ = ["documents", "DocumentHistory", "DOCUMENT_COLUMNS"]

#: Output columns of :func:`documents`, in order (``invoice_id`` and ``margin`` only when
#: present in the input).
DOCUMENT_COLUMNS = (C.CUSTOMER_ID, C.INVOICE_ID, C.DATE, C.AMOUNT, C.MARGIN, "is_sale")


def documents(transactions: pd.DataFrame) -> pd.DataFrame:
    """One row per document (pièce: facture ou avoir) with its date, total and sale flag.

    Parameters
    ----------
    transactions : DataFrame
        Canonical transactions of ``docs/CONTRACTS.md``: ``customer_id`` (category),
        ``date`` (datetime64[ns], midnight), ``amount`` (float64), optional ``invoice_id``
        (category; null = the row is its own document) and ``margin`` (float64, NaN
        counts 0).

    Returns
    -------
    DataFrame
        RangeIndex, one row per document (in the order of :func:`document_index`),
        columns:

        - ``customer_id`` (category, same categories as the input),
        - ``invoice_id`` (category; only when mapped),
        - ``date`` (datetime64[ns]): date of the earliest line,
        - ``amount`` (float64): exact total of the lines (:func:`icpc.money.exact`),
        - ``margin`` (float64; only when mapped): exact total margin,
        - ``is_sale`` (bool): the total rounded to the cent is > 0 (a sale, *vente*).
    """
    doc, n_docs = document_index(transactions)
    return _assemble(transactions, doc, n_docs)


def _assemble(tx: pd.DataFrame, doc: np.ndarray, n_docs: int) -> pd.DataFrame:
    """:func:`documents` from the document number of each row (:func:`document_index`)."""
    cust_cat = tx[C.CUSTOMER_ID]
    cust = np.empty(n_docs, dtype=np.asarray(cust_cat.cat.codes).dtype)
    cust[doc] = np.asarray(cust_cat.cat.codes)
    ns = np.asarray(tx[C.DATE], dtype="datetime64[ns]").view(np.int64)
    if n_docs == len(tx):
        first = np.empty(n_docs, dtype=np.int64)
        first[doc] = ns
    else:
        first = np.full(n_docs, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first, doc, ns)
    totals = np.bincount(doc, weights=np.asarray(tx[C.AMOUNT], dtype=np.float64), minlength=n_docs)
    amount = exact(totals)  # a total is rounded once, when shown (icpc.money)
    out: dict[str, object] = {
        C.CUSTOMER_ID: pd.Categorical.from_codes(cust, dtype=cust_cat.dtype),
    }
    if C.INVOICE_ID in tx.columns:
        inv_cat = tx[C.INVOICE_ID]
        inv = np.empty(n_docs, dtype=np.asarray(inv_cat.cat.codes).dtype)
        inv[doc] = np.asarray(inv_cat.cat.codes)
        out[C.INVOICE_ID] = pd.Categorical.from_codes(inv, dtype=inv_cat.dtype)
    out[C.DATE] = first.view("datetime64[ns]")
    out[C.AMOUNT] = amount
    if C.MARGIN in tx.columns:
        margin = np.nan_to_num(np.asarray(tx[C.MARGIN], dtype=np.float64), nan=0.0)
        out[C.MARGIN] = exact(np.bincount(doc, weights=margin, minlength=n_docs))
    out["is_sale"] = positive_cents(amount)
    return pd.DataFrame(out)


class DocumentHistory:
    """:func:`documents` of the lines up to any date, from one grouping of the lines.

    A diagnostic looks at the customers as they stood at earlier dates (the early warning's
    backtest and ranking): grouping eight million lines again for each date costs a second
    each time. ``history.until(day)`` gives what ``documents(transactions[date <= day])``
    gives, from the grouping of all the lines: the documents dated up to ``day`` (a
    document's date is its earliest line's), and for the few whose lines straddle ``day``
    the total of their lines up to then. Rows keep the order of the full grouping (the
    same as the subset's unless an invoice number is carried by several customers).

    Example
    -------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({
    ...     "customer_id": pd.Categorical(["A", "A", "B"]),
    ...     "date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-05"]),
    ...     "amount": [10.0, 5.0, 7.0],
    ...     "invoice_id": pd.Categorical(["F1", "F1", "F2"]),
    ... })
    >>> history = DocumentHistory(tx)
    >>> history.until("2024-01-31")[["customer_id", "amount"]]
      customer_id  amount
    0           A    10.0
    1           B     7.0
    """

    def __init__(self, transactions: pd.DataFrame) -> None:
        self._tx = transactions
        doc, n_docs = document_index(transactions)
        #: the documents of all the lines
        self.all = _assemble(transactions, doc, n_docs)
        # kept for the whole diagnostic: half the bytes when the numbers fit (they do)
        self._doc = doc.astype(np.int32) if n_docs < 2**31 else doc
        self._first = np.asarray(self.all[C.DATE], dtype="datetime64[ns]").view(np.int64)
        self._ns = np.asarray(transactions[C.DATE], dtype="datetime64[ns]").view(np.int64)

    def sale_rows(self) -> np.ndarray:
        """Which lines belong to a sale document (an invoice), as a bool array: what
        :func:`icpc.cleaning.documents.invoice_rows` gives, from this grouping."""
        return np.asarray(self.all["is_sale"], dtype=bool)[self._doc]

    def kept(self, day: object) -> np.ndarray:
        """Which documents of :attr:`all` :meth:`until` keeps for ``day``, in its order
        (those whose first line is dated up to ``day``)."""
        return self._first <= int(pd.Timestamp(day).value)

    def until(self, day: object) -> pd.DataFrame:
        """The documents of the lines dated up to ``day`` (RangeIndex)."""
        limit = int(pd.Timestamp(day).value)
        keep = self.kept(day)
        late = self._ns > limit
        late_docs = self._doc[late]
        straddle = np.unique(late_docs[self._first[late_docs] <= limit])
        out = self.all
        if len(straddle):
            out = out.copy()
            mark = np.zeros(len(out), dtype=bool)
            mark[straddle] = True
            rows = mark[self._doc] & ~late
            doc = self._doc[rows]

            def upto(column: str) -> np.ndarray:
                """The column's totals, those of the straddling documents from their lines
                up to ``day``."""
                lines = np.nan_to_num(np.asarray(self._tx[column], dtype=np.float64)[rows])
                totals = out[column].to_numpy(dtype=np.float64, copy=True)
                totals[straddle] = exact(np.bincount(doc, lines, minlength=len(out)))[straddle]
                return totals

            out[C.AMOUNT] = upto(C.AMOUNT)
            if C.MARGIN in out.columns:
                out[C.MARGIN] = upto(C.MARGIN)
            out["is_sale"] = positive_cents(out[C.AMOUNT].to_numpy())
        if keep.all():
            return out
        return out.loc[keep].reset_index(drop=True)
