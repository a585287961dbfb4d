"""The demo client's books as a FEC (Fichier des Écritures Comptables), for ``icpc sample --fec``.

One sales entry (journal VE) per invoice or credit note of the invoice lines the
invoice-line pipeline uses (411 customer line, 707 / 709 sales lines, 44571 VAT), plus
payments (BQ), purchases (HA) and opening entries (AN), so that the ledger of a FEC read
shows every kind of line that is not a sale. Read back with ``format: fec``, it gives the
KPIs of the invoice-line demo.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from icpc.datasets.customers import _day
from icpc.datasets.demo import FEC_FILE
from icpc.datasets.exports import _french_amounts, _french_dates, _str_array
from icpc.datasets.story import (
    CREDIT_TYPE,
    H_AMOUNT,
    H_CUSTOMER,
    H_DATE,
    H_INVOICE,
    H_LABEL,
    H_TYPE,
    Sample,
)

__all__ = ["FEC_FILE", "FEC_ENCODING", "FEC_HEADERS", "fec_table"]

FEC_ENCODING = "iso8859-15"  # the FEC's legal 8-bit encoding (€ is 0xA4)
FEC_HEADERS = ("JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib",
               "CompAuxNum", "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit",
               "EcritureLet", "DateLet", "ValidDate", "Montantdevise", "Idevise")  # fmt: skip
VAT_RATE = 0.20
#: journals in the order their entries of one day are written
FEC_JOURNALS = {
    "AN": "A nouveaux",
    "VE": "Journal des ventes",
    "BQ": "Banque",
    "HA": "Journal des achats",
}
FEC_ACCOUNTS = {
    "101300": "Capital souscrit appelé versé", "401000": "Fournisseurs", "411000": "Clients",
    "445660": "TVA déductible sur biens et services", "445710": "TVA collectée", "512000": "Banque",
    "607000": "Achats de marchandises", "707000": "Ventes de marchandises",
    "709700": "Rabais, remises et ristournes accordés sur ventes de marchandises",
}  # fmt: skip
SUPPLIERS = (("F0001", "Quincaillerie Grossiste du Nord"), ("F0002", "Sanitaire Import Lefèvre"),
             ("F0003", "Outillage Pro Français"))  # fmt: skip
#: share of the invoices whose payment is booked in the bank journal (the rest: not shown)
PAID_SHARE = 0.10


def _fec_block(
    journal: str,
    doc: np.ndarray,
    day: np.ndarray,
    account: Any,
    cents: np.ndarray,
    *,
    piece: Any,
    label: Any,
    aux: Any = None,
    aux_name: Any = None,
    rank: int = 0,
) -> pd.DataFrame:
    """FEC lines of one kind: ``cents`` > 0 is a debit, < 0 a credit; ``doc`` numbers the entry."""
    n = len(doc)

    def text(values: Any) -> np.ndarray:
        out = np.full(n, "", dtype=object) if values is None else np.asarray(values, dtype=object)
        return np.broadcast_to(out, (n,)) if out.ndim == 0 else out

    return pd.DataFrame({
        "journal": np.full(n, list(FEC_JOURNALS).index(journal)), "doc": doc, "day": day, "rank": rank,
        "account": text(account), "aux": text(aux), "aux_name": text(aux_name), "piece": text(piece),
        "label": text(label), "cents": cents,
    })  # fmt: skip


def _fec_lines(sample: Sample) -> pd.DataFrame:
    """Every FEC line of the demo's books, sorted as in an accounting export.

    Sales (VE): one entry per invoice or credit note of the invoice lines the invoice-line
    pipeline uses (the planted unreadable rows left out, the exact duplicates kept): a 411
    line on the customer's auxiliary account, one 707 (709 for partial credit notes) line
    per invoice line, a 44571 VAT line at 20 %. Plus some payments (BQ: 512 / 411),
    purchases (HA: 607 / 44566 / 401) and the yearly opening entries (AN).
    """
    rng = np.random.default_rng([int(sample.truth["seed"]), 2])  # its own stream
    tx = sample.transactions
    tx = tx[(tx[H_CUSTOMER].notna() & tx[H_AMOUNT].notna() & tx[H_DATE].notna()).to_numpy()]
    day = tx[H_DATE].to_numpy(dtype="datetime64[D]").astype(np.int64)
    cents = np.rint(tx[H_AMOUNT].to_numpy(dtype=np.float64) * 100).astype(np.int64)
    doc, numbers = pd.factorize(tx[H_INVOICE], sort=False)  # in ERP order: by date
    first = np.unique(doc, return_index=True)[1]
    net = np.bincount(doc, weights=cents).astype(np.int64)
    vat = np.rint(net * VAT_RATE).astype(np.int64)
    customer = tx[H_CUSTOMER].to_numpy(dtype=object)
    master = sample.customers.set_index("Code")["Raison sociale"]
    names = master.reindex(customer[first]).to_numpy(dtype=object)
    names = np.where(pd.isna(names), customer[first], names)
    credit_doc = (tx[H_TYPE].to_numpy(dtype=object) == CREDIT_TYPE)[first]
    piece = np.asarray(numbers, dtype=object)
    what = np.where(credit_doc, "Avoir ", "Facture ").astype(object) + piece
    cancelled = np.isin(customer, sample.truth["fully_cancelled"])
    credit_line = tx[H_TYPE].to_numpy(dtype=object) == CREDIT_TYPE
    sales_account = np.where(credit_line & ~cancelled, "709700", "707000")
    docs = np.arange(len(first))
    blocks = [
        _fec_block("VE", docs, day[first], "411000", net + vat, piece=piece, label=what,
                   aux=customer[first], aux_name=names),
        _fec_block("VE", doc, day, sales_account, -cents, piece=piece[doc], label=_str_array(tx[H_LABEL]).to_numpy(
            zero_copy_only=False), rank=1),
        _fec_block("VE", docs[vat != 0], day[first][vat != 0], "445710", -vat[vat != 0], piece=piece[vat != 0],
                   label=what[vat != 0], rank=2),
    ]  # fmt: skip
    as_of = _day(dt.date.fromisoformat(sample.truth["as_of"]))
    paid_day = day[first] + rng.integers(20, 61, size=len(first))
    paid = np.flatnonzero(~credit_doc & (paid_day <= as_of) & (rng.random(len(first)) < PAID_SHARE))
    ttc = (net + vat)[paid]
    pay_piece = np.char.add(
        "RGL", np.char.zfill(np.arange(1, len(paid) + 1).astype(str), 6)
    ).astype(object)
    pay_label = "Règlement " + piece[paid]
    blocks += [
        _fec_block("BQ", paid, paid_day[paid], "512000", ttc, piece=pay_piece, label=pay_label),
        _fec_block("BQ", paid, paid_day[paid], "411000", -ttc, piece=pay_piece, label=pay_label,
                   aux=customer[first][paid], aux_name=names[paid], rank=1),
    ]  # fmt: skip
    months = np.arange(np.datetime64(int(day.min()), "D").astype("datetime64[M]"),
                       np.datetime64(as_of, "D").astype("datetime64[M]") + 1)  # fmt: skip
    buy_day = np.repeat(months.astype("datetime64[D]").astype(np.int64), 2) + np.tile(
        [4, 19], len(months)
    )
    buy_day = buy_day[buy_day <= as_of]
    ht = rng.integers(200_000, 2_000_000, size=len(buy_day))
    buy_vat = np.rint(ht * VAT_RATE).astype(np.int64)
    supplier = rng.integers(0, len(SUPPLIERS), size=len(buy_day))
    buys = np.arange(len(buy_day))
    buy_piece = np.char.add("FF", np.char.zfill((buys + 1).astype(str), 5)).astype(object)
    sup_code, sup_name = (
        np.array([s[i] for s in SUPPLIERS], dtype=object)[supplier] for i in (0, 1)
    )
    blocks += [
        _fec_block("HA", buys, buy_day, "607000", ht, piece=buy_piece, label="Achat " + sup_name),
        _fec_block("HA", buys, buy_day, "445660", buy_vat, piece=buy_piece, label="Achat " + sup_name, rank=1),
        _fec_block("HA", buys, buy_day, "401000", -(ht + buy_vat), piece=buy_piece, label="Achat " + sup_name,
                   aux=sup_code, aux_name=sup_name, rank=2),
    ]  # fmt: skip
    years = np.arange(np.datetime64(int(day.min()), "D").astype("datetime64[Y]"),
                      np.datetime64(as_of, "D").astype("datetime64[Y]") + 1)  # fmt: skip
    an_day = years.astype("datetime64[D]").astype(np.int64)
    opening = {"512000": rng.integers(2_000_000, 9_000_000, size=len(years)),
               "411000": rng.integers(5_000_000, 20_000_000, size=len(years)),
               "401000": -rng.integers(1_000_000, 4_000_000, size=len(years))}  # fmt: skip
    opening["101300"] = -(opening["512000"] + opening["411000"] + opening["401000"])
    an = np.arange(len(years))
    blocks += [
        _fec_block(
            "AN",
            an,
            an_day,
            account,
            amounts,
            piece="AN" + years.astype(str).astype(object),
            label="A nouveaux",
            rank=k,
        )
        for k, (account, amounts) in enumerate(opening.items())
    ]
    lines = pd.concat(blocks, ignore_index=True)
    lines = lines.iloc[np.lexsort((lines["rank"], lines["doc"], lines["journal"], lines["day"]))]
    return lines.reset_index(drop=True)


def _fec_table(lines: pd.DataFrame) -> pa.Table:
    """The FEC's 18 fields as text (dates AAAAMMJJ, decimal comma, empty debit or credit)."""
    journal = lines["journal"].to_numpy()
    entry = np.r_[True, (np.diff(journal) != 0) | (np.diff(lines["doc"].to_numpy()) != 0)]
    number = np.zeros(len(lines), np.int64)
    for j in range(len(FEC_JOURNALS)):  # EcritureNum: entries numbered in order, per journal
        mine = journal == j
        number[mine] = np.cumsum(entry[mine])
    codes = np.array(list(FEC_JOURNALS), dtype=object)[journal]
    dates = _french_dates(pd.Series(lines["day"].to_numpy().astype("datetime64[D]")), "%Y%m%d")
    cents = lines["cents"].to_numpy()
    amount = _french_amounts(pd.Series(np.abs(cents) / 100.0))
    empty = pa.array(np.full(len(lines), "", dtype=object), pa.string())
    account = lines["account"].to_numpy(dtype=object)
    columns = {
        "JournalCode": codes, "JournalLib": np.array(list(FEC_JOURNALS.values()), dtype=object)[journal],
        "EcritureNum": np.char.add(codes.astype(str), np.char.zfill(number.astype(str), 6)),
        "EcritureDate": dates, "CompteNum": account,
        "CompteLib": pd.Series(account).map(FEC_ACCOUNTS).to_numpy(dtype=object),
        "CompAuxNum": lines["aux"], "CompAuxLib": lines["aux_name"], "PieceRef": lines["piece"],
        "PieceDate": dates, "EcritureLib": lines["label"],
        "Debit": pc.if_else(pa.array(cents > 0), amount, empty),
        "Credit": pc.if_else(pa.array(cents <= 0), amount, empty),
        "EcritureLet": empty, "DateLet": empty, "ValidDate": dates, "Montantdevise": empty, "Idevise": empty,
    }  # fmt: skip
    return pa.table({h: v if isinstance(v, pa.Array) else pa.array(np.asarray(v, dtype=object), pa.string())
                     for h, v in columns.items()})  # fmt: skip


def fec_table(sample: Sample) -> pa.Table:
    """The demo's books as a FEC table: the 18 fields as text, one row per accounting line."""
    return _fec_table(_fec_lines(sample))
