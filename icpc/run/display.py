"""The batch's progress bar and summary table (rich), on stderr."""

from __future__ import annotations

from typing import Any

from icpc.run.outcome import BatchSummary, ClientOutcome

__all__ = []


_STATUS_LABEL = {
    "done": "done",
    "skipped": "up to date",
    "failed": "FAILED",
    "cancelled": "cancelled",
}


_STATUS_STYLE = {"done": "green", "skipped": "cyan", "failed": "bold red", "cancelled": "yellow"}


class _Display:
    """A rich progress bar with one line per running client (or nothing when disabled)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.enabled = enabled
        self.counts = {"done": 0, "skipped": 0, "failed": 0, "cancelled": 0}
        self.running: dict[str, Any] = {}
        self.finished_slugs: set[str] = set()
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self.console = Console(stderr=True)
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
        )
        self.overall = self.progress.add_task(self._label(), total=total)

    def _label(self) -> str:
        c = self.counts
        return f"clients: {c['done']} done, {c['skipped']} up to date, {c['failed']} failed"

    def __enter__(self) -> _Display:
        if self.enabled:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self.progress.stop()

    def started(self, slug: str, state: str = "running") -> None:
        if self.enabled and slug not in self.running and slug not in self.finished_slugs:
            self.running[slug] = self.progress.add_task(f"  {slug}: {state}", total=None)

    def finished(self, outcome: ClientOutcome) -> None:
        self.counts[outcome.status] += 1
        name = outcome.slug or outcome.config.name
        self.finished_slugs.add(name)
        if not self.enabled:
            return
        task = self.running.pop(name, None)
        if task is not None:
            self.progress.remove_task(task)
        style = _STATUS_STYLE[outcome.status]
        why = f": {outcome.error}" if outcome.error else ""
        self.progress.console.print(
            f"[{style}]{_STATUS_LABEL[outcome.status]:>10}[/] {name} ({outcome.seconds:.1f} s){why}",
            markup=True,
            highlight=False,
        )
        self.progress.update(self.overall, advance=1, description=self._label())


def _print_summary(summary: BatchSummary) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"icpc batch: {len(summary.results)} clients in {summary.seconds:.1f} s")
    table.add_column("client")
    table.add_column("status")
    table.add_column("time", justify="right")
    table.add_column("output folder / reason", overflow="fold")
    for r in summary.results:
        where = r.error if r.status == "failed" else (str(r.out_dir) if r.out_dir else "")
        label = f"[{_STATUS_STYLE[r.status]}]{_STATUS_LABEL[r.status]}[/]"
        table.add_row(r.slug or str(r.config), label, f"{r.seconds:.1f} s", where or "")
    console = Console()
    console.print(table)
    parts = [f"{summary.done} done", f"{summary.skipped} up to date", f"{summary.failed} failed"]
    if summary.cancelled:
        parts.append(f"{summary.cancelled} cancelled")
    console.print(", ".join(parts) + ".")
    for r in summary.results:  # one plain line per failure: no wrapping, easy to grep in a log
        if r.status == "failed":
            console.print(
                f"failed: {r.slug or r.config}: {r.error}",
                soft_wrap=True,
                markup=False,
                highlight=False,
            )
    if any(r.detail for r in summary.results):
        console.print(
            "Unexpected errors: run `icpc run CONFIG` on the failed client to see the full traceback."
        )
