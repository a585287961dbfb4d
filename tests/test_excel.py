"""actions.xlsx as a working tool: read back with openpyxl, on generated cases.

Sheet order, one Excel table per sheet, frozen header and customer columns, print set-up,
the fill-in columns (a date check, the outcomes' drop-down), the contact columns, the
report's labels, and amounts equal to the analyses' to the cent.
"""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter
from report_data import make_diagnostic
from test_diagnostic import make_config

from icpc.diagnostic import Diagnostic
from icpc.export.call_rows import NO_SALES_TIME
from icpc.export.context import OutputContext
from icpc.export.excel import (
    SPARE_ROWS,
    TABLE_STYLE,
    actions_sheets,
    outcomes,
    salesperson_sheet,
    sheet_name,
    write_actions_xlsx,
    write_sheets,
)
from icpc.labels import label
from icpc.money import cents
from icpc.segment_rules import default_segment_rules
from icpc.text import typeset

AS_OF = "2024-12-31"
#: customer → (salesperson, region, first and last invoice, days between invoices, amount)
PLAN = {
    "C01": ("Martin", "Nord", "2022-01-05", "2024-08-31", 30, 400.10),  # late: 131 days, every 30
    "C02": ("dupont", "Sud", "2022-01-10", "2024-10-01", 20, 250.35),  # late, lower-case name
    "C03": ("Martin", "Nord", "2022-01-03", "2024-12-20", 30, 150.00),  # regular: not on a list
    "C04": ("dupont", "Sud", "2022-02-01", "2023-10-15", 15, 900.45),  # lost, large: win back
    "C05": (None, "Sud", "2022-03-01", "2023-09-30", 60, 120.00),  # lost, no salesperson
    "C06": ("Anne", "Nord", "2022-01-07", "2024-12-28", 10, 80.00),  # falls 30 % in N
    "C07": (None, "Nord", "2022-01-02", "2024-09-15", 14, 300.00),  # late, no salesperson
}
#: the products of every invoice: (product, family, share of its amount)
PRODUCTS = (("Vis", "Quincaillerie", 0.5), ("Écrous", "Quincaillerie", 0.3),
            ("Colle", "Chimie", 0.15), ("Gants", "EPI", 0.05))  # fmt: skip
SELLERS = ["Anne", "dupont", "Martin"]  # sorted by name, case aside
NNBSP = "\u202f"


def _last_invoice(cid: str) -> pd.Timestamp:
    _, _, start, stop, gap, _ = PLAN[cid]
    return pd.date_range(start, stop, freq=f"{gap}D")[-1]


def _transactions(plan=PLAN, *, products=True) -> pd.DataFrame:
    rows = []
    for cid, (seller, region, start, stop, gap, amount) in plan.items():
        for k, day in enumerate(pd.date_range(start, stop, freq=f"{gap}D")):
            value = amount * (0.7 if cid == "C06" and day.year == 2024 else 1.0)
            for product, family, share in PRODUCTS:
                rows.append((cid, day, round(value * share, 2), f"{cid}-{k}", seller, region,
                             product, family, 1.0))  # fmt: skip
    tx = pd.DataFrame(rows, columns=["customer_id", "date", "amount", "invoice_id", "salesperson",
                                     "region", "product", "product_family", "quantity"])  # fmt: skip
    if not products:
        tx = tx.drop(columns=["product", "product_family", "quantity"])
    for col in ("customer_id", "invoice_id", "salesperson", "region", "product", "product_family"):
        if col in tx.columns:
            tx[col] = tx[col].astype("category")
    return tx


def _master(plan=PLAN, *, phone=True) -> pd.DataFrame:
    ids = list(plan)
    master = pd.DataFrame(
        {
            "customer_id": ids,
            "name": [f"Société {c}" for c in ids],
            "contact": [f"Mme Contact {c}" for c in ids],
            "phone": [f"01 02 03 04 {c[1:]}" if c != "C02" else None for c in ids],
            "email": [f"{c.lower()}@exemple.fr" for c in ids],
            "address": [f"{i} rue de la Paix" for i in range(len(ids))],
            "postcode": ["75002"] * len(ids),
            "city": ["Paris"] * len(ids),
        }
    )
    return master if phone else master.drop(columns=["phone"])


def _diag(*, language="fr", master=True, phone=True, products="product", plan=PLAN,
          salesperson=True, region=True, months=12) -> Diagnostic:  # fmt: skip
    tx = _transactions(plan, products=products is not None)
    if products == "family":
        tx = tx.drop(columns=["product"])
    if not salesperson:
        tx = tx.drop(columns=["salesperson"])
    if not region:
        tx = tx.drop(columns=["region"])
    cfg = make_config(language=language, period_months=months)
    customers = _master(plan, phone=phone) if master else None
    return Diagnostic.from_frames(cfg, tx, as_of=AS_OF, customers=customers)


def _book(diag: Diagnostic, tmp_path, language=None):
    return openpyxl.load_workbook(
        write_actions_xlsx(diag, tmp_path / "actions.xlsx", language=language)
    )


def _table(ws):
    (table,) = ws.tables.values()
    return table


def _top(ws) -> int:
    """The table's header row (1-based)."""
    return int(_table(ws).ref.split(":")[0][1:])


def _headers(ws) -> list[str]:
    return [c.value for c in ws[_top(ws)] if c.value is not None]


def _records(ws) -> list[dict]:
    headers = _headers(ws)
    last = int(_table(ws).ref.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    rows = ws.iter_rows(min_row=_top(ws) + 1, max_row=last, max_col=len(headers))
    return [{h: c for h, c in zip(headers, row, strict=True)} for row in rows]


def _values(ws, header: str) -> list:
    return [r[header].value for r in _records(ws)]


def _texts(ws) -> list[str]:
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    diag = _diag()
    return diag, _book(diag, tmp_path_factory.mktemp("xlsx"))


def test_sheets_in_order_the_call_list_first_and_active(full):
    diag, wb = full
    assert wb.sheetnames == [
        "À appeler",
        *(f"Com. {s}" for s in SELLERS),
        "Clients à reconquérir",
        "Créations à vérifier",
        "Par secteur",
        "Chiffres mensuels",
        "Lisez-moi",
        "Qualité des données",
    ]
    assert wb.active.title == "À appeler"
    assert [salesperson_sheet(s) for s in SELLERS] == wb.sheetnames[1:4]  # for the scorecards
    # the sheets the report's plan names are there
    from icpc.report.sections.plan import sheet_text

    assert {sheet_text(a, "fr") for a in diag.action_plan} - {""} <= set(wb.sheetnames)


def test_every_sheet_is_a_filtered_table_frozen_and_printable(full):
    _, wb = full
    for ws in wb:
        table = _table(ws)
        assert table.headerRowCount in (None, 1) and table.autoFilter is not None, ws.title
        assert table.tableStyleInfo.name == TABLE_STYLE.replace(" ", ""), ws.title
        top = _top(ws)
        headers = _headers(ws)
        customer = next((h for h in ("Raison sociale", "Code client") if h in headers), headers[0])
        frozen = 0 if ws.title == "Lisez-moi" else headers.index(customer) + 1  # a page to read
        assert ws.freeze_panes == f"{get_column_letter(frozen + 1)}{top + 1}", ws.title
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows == f"${top}:${top}", ws.title
        assert "&P" in ws.oddFooter.right.text and "Test SARL" in ws.oddFooter.left.text
        # the print area is the table (and the read-me's lines), not the spare rows
        end = _table(ws).ref.split(":")[1]
        col = "".join(c for c in end if c.isalpha())
        row = ws.max_row if ws.title == "Lisez-moi" else int(end[len(col) :])
        assert ws.print_area == f"'{ws.title}'!$A$1:${col}${row}", ws.title


def test_the_call_list_is_the_early_warning_ranked_by_value_at_stake(full):
    diag, wb = full
    ws = wb["À appeler"]
    ew = diag.early_warning
    flagged = ew.loc[ew["early_warning"]].sort_values("rank")
    assert list(flagged.index) == ["C07", "C02", "C01"]  # the late ones, largest stake first
    assert _values(ws, "Code client") == list(flagged.index)
    assert _values(ws, "Rang") == [1, 2, 3]
    stake = _values(ws, label("value_at_stake", "fr"))
    assert stake == [float(cents(v)) for v in flagged["value_at_stake"]]
    previous = diag.table["revenue_previous"].reindex(flagged.index)
    assert _values(ws, "CA N−1") == pytest.approx([float(cents(v)) for v in previous], abs=0.005)
    # the customer without salesperson stays on the call list
    assert _values(ws, "Commercial") == [None, "dupont", "Martin"]


def test_the_call_list_row_of_a_late_customer(full):
    diag, wb = full
    (row,) = [r for r in _records(wb["À appeler"]) if r["Code client"].value == "C01"]
    assert row["Raison sociale"].value == "Société C01"
    assert row["Interlocuteur"].value == "Mme Contact C01"
    assert row["Téléphone"].value == "01 02 03 04 01"
    assert row["E-mail"].value == "c01@exemple.fr"
    last = _last_invoice("C01")
    assert last == pd.Timestamp("2024-08-22")
    assert row["Motif"].value == (
        "commande habituellement tous les 30 jours, rien depuis 131 jours"
        f"{NNBSP}; CA des 6 derniers mois en baisse de 67{NNBSP}% par rapport aux mêmes mois un an "
        "plus tôt"
    )  # 2 invoices in July-December 2024, 6 a year before
    assert row["Dernier achat"].value == last.to_pydatetime()
    assert row["Dernier achat"].number_format == "dd/mm/yyyy"
    # the last invoice's four lines, and the average basket: revenue / invoices over the history
    tx = diag.transactions
    lines = tx.loc[(tx["customer_id"] == "C01") & (tx["date"] == last), "amount"]
    assert len(lines) == 4
    assert row["Montant du dernier achat"].value == float(cents(lines.sum()))
    invoices = tx.loc[tx["customer_id"] == "C01"]
    expected = invoices["amount"].sum() / invoices["invoice_id"].nunique()
    assert row["Panier moyen"].value == pytest.approx(expected)
    assert "€" in row["CA en jeu"].number_format
    assert row["Produits habituels"].value == "Vis, Écrous, Colle"  # three, the largest first
    words = OutputContext.of(diag, "fr")
    assert row["Segment"].value == words.segment(diag.segments["C01"])
    rules = {r.name: r.text("action", "fr") for r in diag.segment_rules}
    # the segment's action, as the report's segments table prints it (typeset)
    assert row["Action recommandée"].value == typeset(rules[diag.segments["C01"]], "fr")


def test_the_fill_in_columns_a_date_a_drop_down_and_free_text(full):
    _, wb = full
    for name in ("À appeler", "Com. Martin", "Clients à reconquérir"):
        ws = wb[name]
        assert _headers(ws)[-3:] == ["Date d’appel", "Résultat", "Prochaine étape"], name
        top, n = _top(ws), len(_records(ws))
        cols = {h: get_column_letter(i + 1) for i, h in enumerate(_headers(ws))}
        rules = {dv.type: dv for dv in ws.data_validations.dataValidation}
        choices = rules["list"].formula1.strip('"').split(",")
        assert choices == outcomes("fr") and "Parti chez un concurrent" in choices
        assert (
            str(rules["list"].sqref)
            == f"{cols['Résultat']}{top + 1}:{cols['Résultat']}{top + n + SPARE_ROWS}"
        )
        assert str(rules["date"].sqref).startswith(f"{cols['Date d’appel']}{top + 1}:")
        first = _records(ws)[0]
        assert first["Date d’appel"].number_format == "dd/mm/yyyy"
        for header in ("Date d’appel", "Résultat", "Prochaine étape"):
            assert first[header].value is None
            assert first[header].fill.fgColor.rgb.endswith("FFF2CC"), header  # light yellow
        assert first["Motif"].fill.fgColor.rgb in (None, "00000000")  # not the others
        spare = ws[f"{cols['Résultat']}{top + n + 1}"]  # a spare row: the list, no colour
        assert spare.value is None and spare.fill.fgColor.rgb in (None, "00000000")


def test_one_sheet_per_salesperson_with_only_his_lists(full):
    diag, wb = full
    owner = diag.table["salesperson"].astype(str)
    for seller in SELLERS:
        ws = wb[f"Com. {seller}"]
        assert "Commercial" not in _headers(ws)
        ids = _values(ws, "Code client")
        assert ids and all(owner[c] == seller for c in ids)
    assert [(r["Liste"].value, r["Code client"].value) for r in _records(wb["Com. dupont"])] == [
        ("À appeler", "C02"),
        ("À reconquérir", "C04"),
    ]
    revenue, previous = diag.table.loc["C06", ["revenue", "revenue_previous"]]
    assert round(100 * (previous - revenue) / previous) == 32  # 30 % cheaper, more invoices
    assert [(r["Liste"].value, r["Code client"].value, r["Motif"].value)
            for r in _records(wb["Com. Anne"])] == [
        ("CA en baisse", "C06", f"CA N en baisse de 32{NNBSP}% par rapport à N−1"),
    ]  # fmt: skip
    assert _values(wb["Com. Martin"], "Code client") == ["C01"]  # C03 buys as usual


def test_the_lost_customers_to_win_back(full):
    diag, wb = full
    ws = wb["Clients à reconquérir"]
    lost = diag.dynamics.lost.sort_values("revenue_previous", ascending=False)
    assert _values(ws, "Code client") == list(lost.index) == ["C04", "C05"]
    assert _values(ws, "CA N−1") == [float(cents(v)) for v in lost["revenue_previous"]]
    win_back = next(a for a in diag.action_plan if a.code == "win_back_lost")
    assert _values(ws, "Prioritaire (plan d’action)") == [
        "oui" if c in win_back.customers else "non" for c in lost.index
    ]
    days = (pd.Timestamp(AS_OF) - _last_invoice("C04")).days
    assert (
        _values(ws, "Motif")[0]
        == f"aucun achat depuis {days} jours"
        == "aucun achat depuis 449 jours"
    )
    assert "CA en jeu" not in _headers(ws) and "CA N" not in _headers(ws)


def test_by_region_monthly_and_ledger(full):
    diag, wb = full
    ws = wb["Par secteur"]
    regions = diag.by_region
    assert sorted(_values(ws, "Secteur")) == sorted(regions.index.astype(str))
    assert _headers(ws)[:5] == ["Secteur", "CA N", "CA N−1", "Évolution", "Part du CA N"]
    assert sum(_values(ws, "Clients à appeler")) == 3
    assert dict(zip(_values(ws, "Secteur"), _values(ws, "CA N"), strict=True)) == {
        str(k): pytest.approx(v) for k, v in regions["revenue"].items()
    }
    monthly = wb["Chiffres mensuels"]
    assert len(_records(monthly)) == len(diag.monthly)
    assert _records(monthly)[-1]["Mois"].number_format == "mm/yyyy"
    assert sum(_values(monthly, "Chiffre d’affaires")) == pytest.approx(
        float(diag.transactions["amount"].sum())
    )
    ledger = wb["Qualité des données"]
    assert _headers(ledger) == ["Motif", "Lignes", "Montant"]
    assert _values(ledger, "Motif")[:2] == ["Lignes lues", "Lignes retenues"]


def test_the_read_me_says_what_each_sheet_is_for(full):
    diag, wb = full
    ws = wb["Lisez-moi"]
    assert _headers(ws) == ["Feuille", "À quoi elle sert"]
    assert _values(ws, "Feuille") == wb.sheetnames
    assert all(_values(ws, "À quoi elle sert"))
    text = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert text[0] == "Test SARL — plan d’action commercial au 31/12/2024"
    assert any("Date d’appel" in t and "Résultat" in t for t in text)
    # the lines above and below the table span its columns, wrapped: none is cut
    spans = {str(r) for r in ws.merged_cells.ranges}
    assert "A1:B1" in spans and len(spans) == len(text) - 2 * (len(_records(ws)) + 1)


def test_headers_and_segments_are_the_reports_words(full):
    diag, wb = full
    ws = wb["À appeler"]
    for key in ("rank", "customer_id", "name", "salesperson", "segment", "reason", "last_sale",
                "basket", "value_at_stake", "action", "contact", "phone", "email"):  # fmt: skip
        assert label(key, "fr") in _headers(ws), key
    words = OutputContext.of(diag, "fr")
    labels = {words.segment(r.name) for r in diag.segment_rules}
    shown = set(_values(ws, "Segment"))
    assert shown and shown <= labels


def test_english(tmp_path):
    diag = _diag(language="en")
    wb = _book(diag, tmp_path)
    assert wb.sheetnames[0] == "To call" and wb.sheetnames[-2:] == ["Read me", "Data quality"]
    assert "Customers to win back" in wb.sheetnames and "Rep Martin" in wb.sheetnames
    ws = wb["To call"]
    assert _headers(ws)[-3:] == ["Date called", "Outcome", "Next step"]
    rules = {dv.type: dv for dv in ws.data_validations.dataValidation}
    assert rules["list"].formula1.strip('"').split(",") == outcomes("en")
    assert "Order placed" in outcomes("en")
    # both rules: one sentence, not two glued by a semicolon (French keeps its « ; »)
    assert _values(ws, "Reason")[0] == (
        "usually orders every 14 days, nothing for 114 days, "
        "and revenue of the last 6 months down 64% from the same months a year earlier"
    )
    assert '"€"' in _records(ws)[0]["Value at stake"].number_format


def test_no_customer_master_no_contact_and_no_creations_sheet(tmp_path):
    wb = _book(_diag(master=False), tmp_path)
    assert "Créations à vérifier" not in wb.sheetnames
    ws = wb["À appeler"]
    assert not {"Raison sociale", "Interlocuteur", "Téléphone", "E-mail"} & set(_headers(ws))
    assert ws.freeze_panes == "C2"  # the header row and the customer id


def test_a_master_without_phone_has_no_phone_column(tmp_path):
    ws = _book(_diag(phone=False), tmp_path)["À appeler"]
    assert "Téléphone" not in _headers(ws)
    assert {"Interlocuteur", "E-mail"} <= set(_headers(ws))


@pytest.mark.parametrize(
    ("products", "header", "first"),
    [("product", "Produits habituels", "Vis, Écrous, Colle"),
     ("family", "Familles habituelles", "Quincaillerie, Chimie, EPI"),
     (None, None, None)],
    ids=["products", "families-only", "neither"],
)  # fmt: skip
def test_usual_products_or_families(tmp_path, products, header, first):
    ws = _book(_diag(products=products), tmp_path)["À appeler"]
    shown = {"Produits habituels", "Familles habituelles"} & set(_headers(ws))
    if header is None:
        assert not shown
    else:
        assert shown == {header} and _records(ws)[0][header].value == first


def test_without_salesperson_no_salesperson_sheet(tmp_path):
    wb = _book(_diag(salesperson=False, region=False), tmp_path)
    assert not [s for s in wb.sheetnames if s.startswith("Com. ")]
    assert "Par secteur" not in wb.sheetnames
    assert "Commercial" not in _headers(wb["À appeler"])


def test_an_empty_call_list_says_so(tmp_path):
    regular = {c: v for c, v in PLAN.items() if c in ("C03", "C06")}
    regular["C06"] = ("Anne", "Nord", "2022-01-07", "2024-12-28", 10, 80.00)
    diag = _diag(plan=regular)
    assert not diag.early_warning["early_warning"].any()
    wb = _book(diag, tmp_path)
    (row,) = _records(wb["À appeler"])
    assert row["Code client"].value == label("empty.call", "fr")
    (row,) = _records(wb["Com. Martin"])  # his only customer buys as usual
    assert row["Code client"].value == label("empty.salesperson", "fr")
    assert _values(wb["Clients à reconquérir"], "Code client") == [label("empty.win_back", "fr")]


def test_the_plans_creations_to_check_are_marked_with_the_reason(tmp_path):
    diag = make_diagnostic(burst=True)
    action = next(a for a in diag.action_plan if a.code == "check_creations")
    wb = _book(diag, tmp_path)
    for name in ("À appeler", "Créations à vérifier"):
        rows = _records(wb[name])
        marked = {r["Code client"].value for r in rows if r["Création à vérifier"].value}
        assert marked and marked <= set(action.customers), name
        for r in rows:
            if r["Création à vérifier"].value:
                assert "créé par Dupont le" in r["Création à vérifier"].value
                assert r["Action recommandée"].value == label("do.check_first", "fr")


#: six customers Martin created in March 2024, tiny baskets: one group linked by addresses
#: and SIRETs — N1, N2, N3 at one address, N3 and N4 one SIRET, N4 and N5 one address, N5
#: and N6 one SIRET; N6 stopped buying in August (on the call list)
LINKED = {f"N{i}": ("Martin", "Nord", f"2024-03-{1 + 3 * i:02d}",
                    "2024-08-01" if i == 6 else "2024-12-20", 30, 20.0)
          for i in range(1, 7)}  # fmt: skip
_ADDRESSES = {"N1": "5 rue Haute", "N2": "5, R. Haute", "N3": "5 RUE HAUTE",
              "N4": "9 avenue Basse", "N5": "9 av. Basse"}  # fmt: skip
_SIRETS = {"N1": "11122233300044", "N3": "123 456 789 00011", "N4": "12345678900011",
           "N5": "98765432100022", "N6": "987 654 321 00022"}  # fmt: skip


def _linked(language: str = "fr") -> Diagnostic:
    plan = PLAN | LINKED
    master = _master(plan)
    master["address"] = [_ADDRESSES.get(c, a) for c, a in zip(master["customer_id"],
                                                             master["address"], strict=True)]  # fmt: skip
    master["siret"] = [_SIRETS.get(c) for c in master["customer_id"]]
    cfg = make_config(language=language)
    return Diagnostic.from_frames(cfg, _transactions(plan), as_of=AS_OF, customers=master)


def test_a_creation_to_check_says_what_this_customer_shares_and_with_how_many(tmp_path):
    """The group is linked by « adresse + SIRET », yet N1 shares only his address (with 2),
    N6 only his SIRET (with 1): each member's « Lien » and reason are his own, exact (the
    text names the salesperson)."""
    diag = _linked()
    action = next(a for a in diag.action_plan if a.code == "check_creations")
    assert set(action.customers) == set(LINKED) and action.detail["salesperson"] == "Martin"
    group = diag.anomalies.customers.loc[list(LINKED)]
    assert set(group["match"]) == {"address+siret"} and set(group["group_size"]) == {6}
    wb = _book(diag, tmp_path)
    rows = {r["Code client"].value: r for r in _records(wb["Créations à vérifier"])}
    one, two = "qu’un autre client", "que 2 autres clients"
    expected = {
        "N1": ("adresse", f"même adresse {two}"),
        "N2": ("adresse", f"même adresse {two}"),
        "N3": ("adresse + SIRET", f"même adresse {two} et même SIRET {one}"),
        "N4": ("adresse + SIRET", f"même adresse {one} et même SIRET {one}"),
        "N5": ("adresse + SIRET", f"même adresse {one} et même SIRET {one}"),
        "N6": ("SIRET", f"même SIRET {one}"),
    }
    for cid, (link, shared) in expected.items():
        created = pd.Timestamp(LINKED[cid][2]).strftime("%d/%m/%Y")  # his first sale
        assert rows[cid]["Lien"].value == link, cid
        assert rows[cid]["Création à vérifier"].value == (
            f"{shared} (groupe de 6 clients liés), créé par Martin le {created}, dans une série "
            "de 6 créations à des adresses ou des SIRET partagés"  # N6 shares no address
        ), cid
    # the same words where N6 is to be called
    for name in ("À appeler", "Com. Martin"):
        (row,) = [r for r in _records(wb[name]) if r["Code client"].value == "N6"]
        assert row["Création à vérifier"].value == rows["N6"]["Création à vérifier"].value
        assert row["Action recommandée"].value == label("do.check_first", "fr")
    readme = dict(zip(_values(wb["Lisez-moi"], "Feuille"),
                      _values(wb["Lisez-moi"], "À quoi elle sert"), strict=True))  # fmt: skip
    assert "« Lien » dit ce que chacun partage" in readme["Créations à vérifier"].replace(
        NNBSP, " "
    )
    english = actions_sheets(_linked("en"), language="en")["Creations to check"]
    n3 = english.set_index("customer_id").loc["N3"]
    assert n3["creation_to_check"] == (
        "same address as 2 other customers and same SIRET as one other customer (a group of 6 "
        "linked customers), created by Martin on 10/03/2024, one of 6 creations at shared "
        "addresses or with shared SIRETs"
    )


def test_a_creation_to_check_of_a_series_all_at_shared_addresses(tmp_path):
    diag = make_diagnostic(burst=True)
    wb = _book(diag, tmp_path)
    reasons = [r["Création à vérifier"].value for r in _records(wb["Créations à vérifier"])]
    marked = [t for t in reasons if t]
    assert marked and all(t.endswith("créations à des adresses partagées") for t in marked)


def test_the_call_list_never_says_not_to_call(tmp_path):
    """C08 (« En hibernation »: « … ne pas mobiliser les commerciaux ») is late: on the call
    lists he gets the call's action, not his segment's."""
    plan = PLAN | {"C08": ("Martin", "Nord", "2024-01-05", "2024-08-01", 30, 50.0)}
    diag = _diag(plan=plan)
    assert diag.segments["C08"] == "Hibernating" and diag.early_warning.loc["C08", "early_warning"]
    # the segments not to spend sales time on are keys of the segment rules' data
    assert NO_SALES_TIME <= {rule.name for rule in default_segment_rules()}
    assert "Hibernating" in NO_SALES_TIME and "Lost" in NO_SALES_TIME
    wb = _book(diag, tmp_path)
    for name in ("À appeler", "Com. Martin"):
        (row,) = [r for r in _records(wb[name]) if r["Code client"].value == "C08"]
        assert row["Action recommandée"].value == label("do.call", "fr"), name
    assert [r["Liste"].value for r in _records(wb["Com. Martin"])
            if r["Code client"].value == "C08"] == ["À appeler"]  # fmt: skip
    # a segment whose action is a call keeps it
    rules = {r.name: r.text("action", "fr") for r in diag.segment_rules}
    (c01,) = [r for r in _records(wb["À appeler"]) if r["Code client"].value == "C01"]
    assert c01["Action recommandée"].value == typeset(rules[diag.segments["C01"]], "fr")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ventes 2024/Q1", "Ventes 2024-Q1"),
        ("a[b]:c*d?e\\f", "a-b--c-d-e-f"),
        ("", "Feuille"),
        ("x" * 40, "x" * 31),
        ("'quoted'", "quoted"),
    ],
    ids=["slash", "all-forbidden", "empty", "too-long", "quotes"],
)
def test_sheet_names_are_sanitised(name, expected):
    assert sheet_name(name) == expected


def test_sheet_names_are_unique_case_insensitively():
    taken: set[str] = set()
    assert [sheet_name(n, taken) for n in ("Com. Dupont", "com. dupont", "Com. Dupont")] == [
        "Com. Dupont",
        "com. dupont (2)",
        "Com. Dupont (3)",
    ]
    long_taken = {"y" * 31}
    assert sheet_name("y" * 40, long_taken) == "y" * 27 + " (2)"


def test_actions_sheets_keys_are_the_workbooks_sheets(full):
    diag, wb = full
    assert list(actions_sheets(diag)) == wb.sheetnames


def test_write_sheets_handles_missing_values_and_widths(tmp_path):
    frame = pd.DataFrame(
        {
            "customer_id": ["A", "B"],
            "revenue": [1.5, float("nan")],
            "last_sale": [pd.Timestamp("2024-12-31"), pd.NaT],
        }
    )
    wb = openpyxl.load_workbook(write_sheets({"S": frame}, tmp_path / "s.xlsx"))
    ws = wb["S"]
    assert [c.value for c in ws[3]] == ["B", None, None]
    assert ws.column_dimensions["A"].width >= 8
    assert _table(ws).ref == "A1:C3" and ws.freeze_panes == "B2"
    assert np.isclose(ws["B2"].value, 1.5)


def test_the_call_lists_headers_are_the_reports_call_list_headers(full, monkeypatch):
    import html as html_lib
    import re

    from icpc.report import sections as S

    diag, wb = full
    monkeypatch.setattr(S, "emit", lambda obj: None)
    markup = "".join(getattr(i, "data", "") or "" for i in S.early_warning(diag))
    pdf = {html_lib.unescape(h) for h in re.findall(r"<th[^>]*>([^<]+)</th>", markup)}
    assert {"Code client", "Raison sociale", "Motif", "CA en jeu"} <= pdf
    # every header of the report's call list that the workbook shows is worded alike
    workbook = set(_headers(wb["À appeler"]))
    assert pdf - workbook <= {"Rythme habituel (jours)", "Retard (×\u00a0rythme)"}


def test_a_six_month_period_shows_revenue_n_beside_the_value_at_stake(tmp_path):
    diag = _diag(months=6)
    ws = _book(diag, tmp_path)["À appeler"]
    headers = _headers(ws)
    assert headers.index("CA en jeu") < headers.index("CA N") < headers.index("CA N−1")
    ids = _values(ws, "Code client")
    assert _values(ws, "CA N") == [float(cents(diag.table.loc[c, "revenue"])) for c in ids]
    assert _values(ws, "CA en jeu") == [
        float(cents(diag.early_warning.loc[c, "value_at_stake"])) for c in ids
    ]
    assert _values(ws, "CA N") != _values(ws, "CA en jeu")  # 6 months against 12


def test_by_region_counts_the_customers_to_call_without_region(tmp_path):
    plan = dict(PLAN)
    plan["C07"] = (None, None, "2022-01-02", "2024-09-15", 14, 300.00)  # late, no region
    ws = _book(_diag(plan=plan), tmp_path)["Par secteur"]
    calls = dict(zip(_values(ws, "Secteur"), _values(ws, "Clients à appeler"), strict=True))
    assert calls == {"Nord": 1, "Sud": 1, "(non renseigné)": 1}


def test_the_call_list_gives_each_customers_probability_still_a_customer(tmp_path):
    """BG/NBD's P(alive) beside the reason, as a percentage (not on this tiny client: too few
    customers to fit; on a generated one of 60)."""
    small = _book(_diag(), tmp_path)
    assert "Probabilité d’être encore client" not in _headers(small["À appeler"])  # 7 customers
    explained = label("readme.how.p_alive", "fr")
    assert explained not in _texts(small["Lisez-moi"])  # no column, nothing to explain
    plan = {f"K{i:02d}": (SELLERS[i % 3], "Nord", f"2022-0{1 + i % 9}-05",
                          "2024-12-20" if i % 4 else "2024-07-31", 20 + i, 100.0 + i)
            for i in range(60)}  # fmt: skip
    diag = _diag(plan=plan, master=False)
    ws = _book(diag, tmp_path)["À appeler"]
    header = "Probabilité d’être encore client"
    assert header in _headers(ws)
    ids = _values(ws, "Code client")
    cells = [r[header] for r in _records(ws)]
    assert cells and all(c.number_format == "0.0%" for c in cells)
    expected = diag.p_alive.reindex([str(i) for i in ids]).to_numpy()
    assert [c.value for c in cells] == pytest.approx(list(expected))
    # « Lisez-moi » says what it is, under the column's own name, in words for a salesperson
    wb = _book(diag, tmp_path / "p")
    assert explained in _texts(wb["Lisez-moi"])
    assert explained.startswith(f"«{NNBSP}{header}{NNBSP}»{NNBSP}: la chance que le client achète")
    english = _book(_diag(plan=plan, master=False, language="en"), tmp_path / "en")
    assert label("readme.how.p_alive", "en") in _texts(english["Read me"])
    assert label("readme.how.p_alive", "en").startswith("“Probability still a customer”: ")


def test_no_list_that_sends_a_salesperson_says_not_to_spend_sales_time(tmp_path):
    """On the demo, customers of segments « En hibernation » and « Inactifs » sit on their
    salesperson's sheet (lost ones to win back, others whose revenue fell): they get the
    list's action (win back, or call), never the segment's « no sales time »."""
    from pathlib import Path

    from icpc.config import load_config
    from icpc.labels import segment_label

    demo = Path(__file__).resolve().parents[1] / "data_samples" / "demo" / "client.yaml"
    wb = _book(Diagnostic.from_config(load_config(demo)), tmp_path)
    idle = {segment_label(k, "fr") for k in NO_SALES_TIME}
    rows = [
        r
        for name in wb.sheetnames
        if name.startswith("Com. ")
        for r in _records(wb[name])
        if r["Segment"].value in idle
    ]
    assert rows  # the case exists on the demo
    # the list's action, or the check a creation to check (or a linked record) needs first
    check = {
        label("do.check_first", "fr"),
        label("do.check_group_first", "fr").format(sheet=label("sheet.creations", "fr")),
    }
    back = {label("do.win_back", "fr"), label("do.win_back_priority", "fr")}
    for r in rows:
        action = r["Action recommandée"].value
        if r["Liste"].value == "À reconquérir":
            assert action in back | check
        else:
            assert action in {label("do.call", "fr")} | check


def test_the_plan_and_the_scorecards_name_a_salespersons_sheet_as_the_workbook_does(tmp_path):
    """« Martin » and « MARTIN » are one sheet name to Excel: the second is « Com. MARTIN (2) »,
    and whoever points to it says so."""
    from icpc.export.sheets import salesperson_sheets

    plan = PLAN | {"C09": ("MARTIN", "Nord", "2022-01-05", "2024-12-15", 25, 70.0)}
    diag = _diag(plan=plan)
    names = salesperson_sheets(diag, "fr")
    wb = _book(diag, tmp_path)
    assert set(names.values()) <= set(wb.sheetnames)
    pair = sorted([names["Martin"], names["MARTIN"]], key=len)
    assert pair[0] in ("Com. Martin", "Com. MARTIN") and pair[1].endswith(" (2)")
    his = {r["Code client"].value for r in _records(wb[names["MARTIN"]])}
    assert his and his <= {"C09"}  # his sheet, not Martin's
    assert "C09" not in {r["Code client"].value for r in _records(wb[names["Martin"]])}
    from pypdf import PdfReader

    from icpc.report.scorecard import write_scorecards

    cards = write_scorecards(diag, tmp_path / "scorecards")
    texts = [" ".join(PdfReader(p).pages[0].extract_text().split()) for p in cards.values()]
    for name in ("Martin", "MARTIN"):
        assert any(f"« {names[name]} »" in t for t in texts), name


def test_a_salesperson_finds_all_his_lost_customers_to_win_back_with_their_revenue_at_stake(
    tmp_path,
):
    """Every lost customer of the demo not on the call list is « À reconquérir » on his
    salesperson's sheet, as on « Clients à reconquérir », and his « CA en jeu » is his
    revenue N−1 (what the plan counts), not the 0 of the last 12 months."""
    from pathlib import Path

    from icpc.config import load_config

    demo = Path(__file__).resolve().parents[1] / "data_samples" / "demo" / "client.yaml"
    diag = Diagnostic.from_config(load_config(demo))
    wb = _book(diag, tmp_path)
    rows = [r for n in wb.sheetnames if n.startswith("Com. ") for r in _records(wb[n])]
    back = [r for r in rows if r["Liste"].value == "À reconquérir"]
    called = set(diag.work_lists.loc[diag.work_lists["list"] == "call", "customer_id"])
    lost = {str(c) for c in diag.dynamics.lost.index} - called
    assigned = {str(c) for c, p in diag.table["salesperson"].items() if isinstance(p, str)}
    assert {r["Code client"].value for r in back} == lost & assigned
    assert not any(r["Motif"].value == "aucun achat en N" for r in rows)
    assert all(r["CA en jeu"].value == r["CA N−1"].value > 0 for r in back)
    assert {r["Code client"].value for r in back} <= set(
        _values(wb["Clients à reconquérir"], "Code client")
    )


@pytest.mark.parametrize(
    ("revenue", "previous", "expected"),
    [
        (5077.86, 5081.83, "CA N en légère baisse (moins de 1\u202f% sous N−1)"),
        (90.0, 100.0, "CA N en baisse de 10\u202f% par rapport à N−1"),
        (0.0, 100.0, "aucun achat en N"),
    ],
)
def test_the_reason_of_a_fall_never_says_down_0_percent(revenue, previous, expected):
    from icpc.export.call_rows import _reason_falling

    assert _reason_falling(revenue, previous, "fr") == expected


def test_the_quality_sheet_tells_kept_rows_from_excluded_ones_and_shows_no_amount_it_has_not(
    tmp_path,
):
    """« Lignes écartées — montant illisible » has no amount to show (not « 0,00 € »), and
    the warnings read « Lignes retenues, à signaler — … », not as more excluded rows."""
    from pathlib import Path

    from icpc.config import load_config

    demo = Path(__file__).resolve().parents[1] / "data_samples" / "demo" / "client.yaml"
    wb = _book(Diagnostic.from_config(load_config(demo)), tmp_path)
    ws = wb["Qualité des données"]
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    rows = {r[0]: r[1:] for r in cells if isinstance(r[0], str)}
    unreadable = rows["Lignes écartées — montant illisible"]
    assert unreadable[0] == 2 and unreadable[1] is None
    assert rows["Lignes écartées — ligne de total"][1] is None
    assert rows["Lignes écartées — date illisible"][1] == pytest.approx(174.72)
    kept = [k for k in rows if k.startswith("Lignes retenues, à signaler — ")]
    assert "Lignes retenues, à signaler — avoirs (montants négatifs)" in kept
    assert not [k for k in rows if k[:1].islower()]


def test_the_win_back_sheet_has_no_column_of_risk_left_empty(tmp_path):
    """The early warning's « Risque de ne plus acheter » is for customers still buying: on
    « Clients à reconquérir » (lost customers) it would be empty on every row."""
    from pathlib import Path

    from icpc.config import load_config

    demo = Path(__file__).resolve().parents[1] / "data_samples" / "demo" / "client.yaml"
    wb = _book(Diagnostic.from_config(load_config(demo)), tmp_path)
    ws = wb["Clients à reconquérir"]
    headers = _headers(ws)
    assert "Risque de ne plus acheter" not in headers
    assert "Risque de ne plus acheter" in _headers(wb["À appeler"])  # where it is computed
    # BG/NBD's 100 % for a customer who bought once, long ago, is not shown to be won back
    assert label("p_alive", "fr") not in headers
    from icpc.export.call_rows import FILL_IN

    fill_in = {label(c, "fr") for c in FILL_IN}  # the team fills these in
    for header in headers:  # and no other column is left empty on every row
        if header not in fill_in:
            assert any(v not in (None, "") for v in _values(ws, header)), header
    rows = [r for n in wb.sheetnames if n.startswith("Com. ") for r in _records(wb[n])]
    back = [r for r in rows if r["Liste"].value == "À reconquérir"]
    assert back and all(r[label("p_alive", "fr")].value is None for r in back)


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory):
    """The demo client's workbook (French) and its diagnostic."""
    from pathlib import Path

    from icpc.config import load_config

    demo = Path(__file__).resolve().parents[1] / "data_samples" / "demo" / "client.yaml"
    diag = Diagnostic.from_config(load_config(demo))
    return diag, _book(diag, tmp_path_factory.mktemp("demo_book"))


def _call_sheets(wb) -> list[str]:
    return [n for n in wb.sheetnames if n == "À appeler" or n.startswith("Com. ")]


def test_a_linked_customer_is_checked_first_on_every_list(demo_book):
    """A customer of « Créations à vérifier » (a record linked to others by its address or
    its SIRET) is told to check it first wherever a list sends a salesperson to him: never a
    plain call beside « fiches à fusionner ? » on the creations' sheet."""
    from icpc.export.call_rows import facts

    diag, wb = demo_book
    linked = {str(r["Code client"].value) for r in _records(wb["Créations à vérifier"])}
    assert facts(diag, "fr").grouped == linked and linked  # the case exists on the demo
    first = {
        label("do.check_first", "fr"),
        label("do.check_group_first", "fr").format(sheet="Créations à vérifier"),
    }
    seen = 0
    for name in _call_sheets(wb) + ["Clients à reconquérir"]:
        for r in _records(wb[name]):
            code = str(r["Code client"].value)
            if code in linked:
                seen += 1
                assert r["Action recommandée"].value in first, (name, code)
            else:
                assert r["Action recommandée"].value not in first, (name, code)
    assert seen  # some are on a list


def test_a_customer_slipping_away_or_buying_less_is_not_thanked(demo_book):
    """On the lists that send a salesperson to a customer who slips away or buys less, a
    Champion is not told « Les remercier… » nor a Loyal one « montée en gamme »: the
    segments whose action assumes a customer buying well get the call's action."""
    from icpc.export.call_rows import BUYING_WELL
    from icpc.labels import segment_label

    diag, wb = demo_book
    assert BUYING_WELL <= {rule.name for rule in default_segment_rules()}
    own = {
        segment_label(rule.name, "fr"): typeset(rule.text("action", "fr"), "fr")
        for rule in diag.segment_rules
        if rule.name in BUYING_WELL
    }
    rows = [
        r
        for name in _call_sheets(wb)
        for r in _records(wb[name])
        if r["Segment"].value in own and r.get("Liste", r["Segment"]).value != "À reconquérir"
    ]
    assert rows  # Champions buying less exist on the demo
    for r in rows:
        assert r["Action recommandée"].value != own[r["Segment"].value]


def test_the_plans_lost_customers_are_marked_priority_on_the_salespeoples_sheets(demo_book):
    """The lost customers the plan asks the sales director to win back are « Prioritaire »
    on their salesperson's sheet as on « Clients à reconquérir », with the visit the plan
    says; the other lost customers are not."""
    from icpc.analysis.actions import find_action

    diag, wb = demo_book
    plan = {str(c) for c in find_action(diag.action_plan, "win_back_lost").customers}
    assert plan
    visit = label("do.win_back_priority", "fr")
    marked: set[str] = set()
    for name in [n for n in wb.sheetnames if n.startswith("Com. ")] + ["Clients à reconquérir"]:
        for r in _records(wb[name]):
            if name != "Clients à reconquérir" and r["Liste"].value != "À reconquérir":
                assert r["Prioritaire (plan d’action)"].value in (None, False, "non")
                continue
            code = str(r["Code client"].value)
            priority = r["Prioritaire (plan d’action)"].value in (True, "oui")
            assert priority == (code in plan), (name, code)
            if priority and name != "Clients à reconquérir":
                marked.add(code)
            if priority and r["Action recommandée"].value != label("do.check_first", "fr"):
                assert r["Action recommandée"].value in (
                    visit,
                    label("do.check_group_first", "fr").format(sheet="Créations à vérifier"),
                )
    assert marked == plan  # each on his salesperson's sheet
