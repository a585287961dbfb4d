"""Terminal output of the CLI (rich tables): the data-quality ledger and headline KPIs.

Only presentation lives here; the figures come from :meth:`Dataset.data_quality` and
:meth:`Diagnostic.kpis_json`.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from icpc.cleaning.id_match import EXCLUSIONS_NOT_FOUND, WHERE_NOT_FOUND

__all__ = ["ledger_table", "print_ledger", "kpis_table", "print_kpis"]

_FILE_TITLES = {
    "transactions": "Transactions",
    "customers": "Customer master",
    "activity": "Activity log",
}


def _money(value: float | None) -> str:
    return "" if value is None else f"{value:,.2f}".replace(",", " ")


def _int(value: int | None) -> str:
    return "" if value is None else f"{value:,}".replace(",", " ")


def ledger_table(block: dict[str, Any], title: str) -> Table:
    """Build a rich table of one file's ledger (rows and amounts by bucket).

    Parameters
    ----------
    block : dict
        One ledger as in the ``data_quality`` block (``rows_read``, ``rows_used``,
        ``rows_excluded``, ``amounts_excluded``, ``warnings`` …).
    title : str
        Table title.

    Returns
    -------
    rich.table.Table
    """
    table = Table(title=title, title_justify="left", show_footer=False)
    table.add_column("Bucket")
    table.add_column("Rows", justify="right")
    table.add_column("Amount", justify="right")
    amounts = block.get("amounts_excluded", {}) or {}
    table.add_row("read", _int(block.get("rows_read")), _money(block.get("amount_read")))
    table.add_row(
        "[green]used[/green]", _int(block.get("rows_used")), _money(block.get("amount_used"))
    )
    for reason, rows in sorted((block.get("rows_excluded") or {}).items()):
        if not rows:
            continue
        table.add_row(f"[red]excluded: {reason}[/red]", _int(rows), _money(amounts.get(reason)))
    for name, warn in sorted((block.get("warnings") or {}).items()):
        count = warn.get("rows") if isinstance(warn, dict) else warn
        if not count:
            continue
        if isinstance(warn, dict):
            table.add_row(
                f"[yellow]warning: {name}[/yellow]",
                _int(warn.get("rows")),
                _money(warn.get("amount")),
            )
        else:
            table.add_row(f"[yellow]warning: {name}[/yellow]", _int(warn), "")
    return table


def print_ledger(dataset: Any, console: Console | None = None) -> None:
    """Print the data-quality ledger of every input file of a dataset."""
    console = console or Console()
    quality = dataset.data_quality()
    files = quality.get("files") or {"transactions": quality}
    for key, block in files.items():
        if not block:
            continue
        path = block.get("path", "")
        console.print(ledger_table(block, f"{_FILE_TITLES.get(key, key)} — {path}"))
    tx_block = (quality.get("files") or {}).get("transactions") or quality
    missing = (tx_block.get("details") or {}).get(EXCLUSIONS_NOT_FOUND)
    if missing:
        console.print(
            f"[yellow]exclude.customers: {', '.join(missing)} in no file, nothing excluded "
            f"for {'it' if len(missing) == 1 else 'them'}; check the code{'s' * (len(missing) > 1)}[/yellow]"
        )
    for col, values in ((tx_block.get("details") or {}).get(WHERE_NOT_FOUND) or {}).items():
        many = len(values) > 1
        console.print(
            f"[yellow]exclude.where.{col}: {', '.join(values)} in no file, nothing excluded "
            f"for {'them' if many else 'it'}; check the spelling{' of each' * many}[/yellow]"
        )
    used, read = quality.get("rows_used", 0), quality.get("rows_read", 0)
    excluded = sum((quality.get("rows_excluded") or {}).values())
    console.print(
        f"as_of {dataset.as_of:%Y-%m-%d}: {_int(used)} of {_int(read)} transaction rows used, "
        f"{_int(excluded)} excluded (read = used + excluded)."
    )


_KPI_ROWS = (
    ("revenue", "Revenue", "money"),
    ("margin", "Margin", "money"),
    ("sales_count", "Sales", "int"),
    ("active_customers", "Active customers", "int"),
    ("average_basket", "Average basket", "money"),
    ("purchase_frequency", "Purchase frequency", "ratio"),
    ("revenue_per_customer", "Revenue per customer", "money"),
)


def _fmt(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "money":
        return _money(value)
    if kind == "int":
        return _int(int(value))
    return f"{value:.2f}"


def kpis_table(result: dict[str, Any]) -> Table:
    """Build a rich table of the headline KPIs (N, N−1, change) from a kpis.json dict."""
    period, previous = result.get("period", {}), result.get("previous_period", {})
    table = Table(
        title=f"{result.get('client', '')} — as of {result.get('as_of', '')}", title_justify="left"
    )
    table.add_column("Indicator")
    table.add_column(f"N ({period.get('start', '')} … {period.get('end', '')})", justify="right")
    table.add_column(
        f"N-1 ({previous.get('start', '')} … {previous.get('end', '')})", justify="right"
    )
    table.add_column("Change", justify="right")
    kpis = result.get("kpis", {})
    for key, label, kind in _KPI_ROWS:
        item = kpis.get(key)
        if not isinstance(item, dict):
            continue
        pct = item.get("change_pct")
        change = "—" if pct is None else f"{pct:+.1%}"
        table.add_row(
            label, _fmt(item.get("current"), kind), _fmt(item.get("previous"), kind), change
        )
    return table


def print_kpis(
    result: dict[str, Any], *, language: str = "fr", console: Console | None = None
) -> None:
    """Print headline KPIs and customer dynamics of a kpis.json dict."""
    console = console or Console()
    console.print(kpis_table(result))
    kpis = result.get("kpis", {})
    parts = [
        f"new {kpis.get('new_customers', '—')}",
        f"retained {kpis.get('retained_customers', '—')}",
        f"reactivated {kpis.get('reactivated_customers', '—')}",
        f"lost {kpis.get('lost_customers', '—')} ({_money(kpis.get('lost_revenue'))} {result.get('currency', '')})",
    ]
    console.print("Customers: " + ", ".join(parts))
    warning = result.get("early_warning")
    if warning:
        console.print(
            f"Early warning: {warning.get('flagged', 0)} customers flagged, "
            f"{_money(warning.get('value_at_stake'))} {result.get('currency', '')} at stake"
        )
