"""The ``icpc`` command line: thin — it parses arguments and calls the library.

Exit codes: 0 ok; 2 bad input, config or argument (one line on stderr); 1 anything else.
Heavy libraries are imported inside the commands so that ``icpc --help`` and the fast
paths (``icpc kpis --json``) do not pay for matplotlib, papermill or dask.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from icpc.exceptions import ArgumentError, IcpcError, RunError, shorten

app = typer.Typer(
    name="icpc",
    help="Commercial diagnostic kit: ICPC indicators, Score3D segments, French PDF report.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from icpc import __version__

        typer.echo(f"icpc {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the version of icpc and exit.",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Commercial diagnostic kit: ICPC indicators, Score3D segments, French PDF report."""


ConfigArg = Annotated[
    Path,
    typer.Argument(help="The client's YAML config file.", metavar="CONFIG", show_default=False),
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Analysis date YYYY-MM-DD (default: config, else last sale)."),
]
NoCacheOption = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Load and clean the files even when the cache holds them (and keep nothing).",
    ),
]


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, allow_nan=False)


def _as_of(value: str | None) -> dt.date | None:
    """The date of ``--as-of`` (None when not given).

    Parameters
    ----------
    value : str or None
        The option as typed.

    Returns
    -------
    date or None

    Raises
    ------
    ArgumentError
        When it is not a possible date: the message names ``--as-of``, not client.yaml.
    """
    if value is None:
        return None
    from icpc.config import parse_date
    from icpc.config_values import AS_OF_RANGE

    date = parse_date(value)
    if date is None:
        raise ArgumentError(
            f"--as-of {shorten(value, 40)} is not a valid date; write it as YYYY-MM-DD (e.g. 2024-12-31)"
        )
    low, high = AS_OF_RANGE
    if not low <= date <= high:
        raise ArgumentError(
            f"--as-of {date.isoformat()} is out of range; give a date between "
            f"{low.isoformat()} and {high.isoformat()}"
        )
    return date


@app.command()
def sample(
    directory: Annotated[Path, typer.Argument(help="Folder to write the demo client into.")],
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same files).")] = 42,
    customers: Annotated[
        int | None, typer.Option(help="Number of customers (default: a few hundred).")
    ] = None,
    years: Annotated[int, typer.Option(help="Years of history.")] = 3,
    lines: Annotated[
        int | None, typer.Option(help="Target number of invoice lines (for benchmarks).")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="Transactions file format: csv or parquet.")
    ] = "csv",
    fec: Annotated[
        bool, typer.Option("--fec", help="Write the books as a FEC (accounting export) instead.")
    ] = False,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Give it the demo's own client name and slug (its reports then replace the demo's).",
        ),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace files of the folder even when edited.")
    ] = False,
) -> None:
    """Write a synthetic demo client (config + data) to DIRECTORY."""
    from icpc.datasets.demo import write_sample

    config_path = write_sample(
        directory, seed=seed, customers=customers, years=years, lines=lines, fmt=fmt, fec=fec,
        demo=demo, force=force,
    )  # fmt: skip
    typer.echo(str(config_path))


@app.command()
def validate(
    config: ConfigArg,
    as_of: AsOfOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the data_quality block as JSON.")
    ] = False,
    no_cache: NoCacheOption = False,
) -> None:
    """Load and clean the client's exports; print the data-quality ledger."""
    date = _as_of(as_of)
    from icpc.cleaning import load_dataset
    from icpc.config import load_config

    dataset = load_dataset(load_config(config).with_as_of(date), cache=not no_cache)
    quality = dataset.data_quality()
    if as_json:
        typer.echo(_dumps(quality))
        return
    from icpc.report.console import print_ledger

    print_ledger(dataset)


def _output_file(path: Path | None, option: str) -> Path | None:
    """``path`` when a file can be written there (its folder created), checked before any
    work; else :class:`ArgumentError` naming the option, the file and why."""
    if path is None:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ArgumentError(_unwritable(option, path, exc)) from None
    if path.is_dir() or not os.access(path.parent, os.W_OK):
        why = "it is a folder" if path.is_dir() else "its folder is not writable"
        raise ArgumentError(
            f"{option} {path}: cannot write the file ({why}); give a file path in a folder you can write to"
        )
    return path


def _unwritable(option: str, path: Path, exc: OSError) -> str:
    return (
        f"{option} {path}: cannot write the file ({exc.strerror or type(exc).__name__}); "
        "give a file path in a folder you can write to"
    )


@app.command()
def kpis(
    config: ConfigArg,
    as_of: AsOfOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print kpis.json to stdout.")] = False,
    customers_csv: Annotated[
        Path | None,
        typer.Option("--customers-csv", help="Write the per-customer table to this CSV file."),
    ] = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Compute the indicators (kpis.json)."""
    date = _as_of(as_of)
    from icpc.config import load_config

    cfg = load_config(config).with_as_of(date)
    customers_csv = _output_file(customers_csv, "--customers-csv")  # before any work
    from icpc.export import outputs_cache

    # the same files and config as an earlier icpc kpis: its outputs, kept in the cache
    kept = None if no_cache else outputs_cache.lookup(cfg, customers=customers_csv is not None)
    if kept is not None:
        if kept.warning:
            typer.echo(f"icpc: {kept.warning}", err=True)
        if customers_csv is not None:
            try:
                kept.copy_customers(customers_csv)
            except OSError as exc:  # a full disk, the folder removed meanwhile
                raise ArgumentError(_unwritable("--customers-csv", customers_csv, exc)) from None
        result = kept.kpis
    else:
        result = _compute_kpis(cfg, customers_csv, cache=not no_cache)
    if as_json:
        typer.echo(_dumps(result))
        return
    from icpc.report.console import print_kpis

    print_kpis(result, language=cfg.language)


def _compute_kpis(cfg: Any, customers_csv: Path | None, *, cache: bool) -> dict[str, Any]:
    """``icpc kpis`` without kept outputs: load, compute, write, keep for the next one."""
    from icpc.cleaning import load_dataset
    from icpc.cleaning.cache import load_cached_entry
    from icpc.diagnostic import Diagnostic
    from icpc.export import outputs_cache
    from icpc.lazy import import_in_background
    from icpc.run.runner import (
        BACKGROUND,
        BACKGROUND_IMPORTS,
        BACKGROUND_INPUTS,
        CUSTOMERS_BACKGROUND,
    )

    import_in_background(*BACKGROUND_IMPORTS)
    dataset, entry = load_cached_entry(cfg) if cache else (load_dataset(cfg), None)
    diag = Diagnostic(dataset)
    warning = diag.data_end_warning()
    if warning:
        typer.echo(f"icpc: {warning}", err=True)
    # customers.csv's own analyses only when it is asked for (its P(alive) is the
    # early warning's ranking's fit, which kpis.json computes anyway)
    wanted = BACKGROUND + (CUSTOMERS_BACKGROUND if customers_csv is not None else ())
    with diag.background(*wanted, inputs=BACKGROUND_INPUTS):
        result = diag.kpis_json()
        if customers_csv is not None:
            from icpc.fsutil import atomic_path

            try:
                with atomic_path(customers_csv) as tmp:
                    diag.write_customers_csv(tmp)
            except OSError as exc:  # a full disk, the folder removed meanwhile
                raise ArgumentError(_unwritable("--customers-csv", customers_csv, exc)) from None
    outputs_cache.keep(entry, cfg, result, warning=warning, customers=customers_csv)
    return result


@app.command()
def run(
    config: ConfigArg,
    out: Annotated[
        Path | None, typer.Option("--out", help="Put outputs under DIR instead of reports/.")
    ] = None,
    as_of: AsOfOption = None,
    previous: Annotated[
        Path | None,
        typer.Option(
            "--previous",
            help="The earlier diagnostic (run folder) to follow up; default the latest of the client.",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace an earlier diagnostic of the same client and date."),
    ] = False,
    no_cache: NoCacheOption = False,
) -> None:
    """Full diagnostic: executed notebook, PDF, Excel, kpis.json, customers.csv, manifest."""
    date = _as_of(as_of)
    from icpc.run.kernel import prestart

    prestart()  # started by main() already, unless called otherwise (then: now)
    from icpc.run.runner import run_client

    result = run_client(
        config, out=out, as_of=date, progress=True, previous=previous, force=force,
        cache=not no_cache,
    )  # fmt: skip
    typer.echo(str(result.out_dir))


@app.command()
def batch(
    configs: Annotated[
        list[Path],
        typer.Argument(help="Client configs, or text files listing one config path per line."),
    ],
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", help="Worker processes (default: number of cores)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Put outputs under DIR instead of reports/.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Redo clients that are up to date.")
    ] = False,
    dask: Annotated[
        str | None,
        typer.Option("--dask", help="Address of a Dask scheduler, e.g. tcp://host:8786."),
    ] = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Run many clients: progress bar, isolated failures, up-to-date clients skipped."""
    from icpc.run.batch import run_batch

    summary = run_batch(
        configs, jobs=jobs, out=out, force=force, dask_address=dask, cache=not no_cache
    )
    if summary.failed:
        raise typer.Exit(1)


cache_app = typer.Typer(
    help="The cache of cleaned datasets (what the next command on unchanged exports reads back).",
    no_args_is_help=True,
)
app.add_typer(cache_app, name="cache")


def _size(n: int) -> str:
    for unit, size in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


@cache_app.command("info")
def cache_info() -> None:
    """Print where the cache is, its entries, their size and its limit."""
    from icpc.cleaning.cache import usage

    held = usage()
    state = "on" if held.enabled else "off (ICPC_NO_CACHE is set)"
    typer.echo(f"folder:  {held.folder}")
    typer.echo(f"entries: {held.entries} ({_size(held.bytes)} of {_size(held.max_bytes)})")
    typer.echo(f"cache:   {state}")


@cache_app.command("clear")
def cache_clear(
    config: Annotated[
        Path | None,
        typer.Argument(
            help="Only this client's entries (its YAML config); default every entry.",
            metavar="[CONFIG]",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Remove the cached datasets (every client's, or one client's); print what was freed."""
    from icpc.cleaning.cache import clear

    if config is not None:
        from icpc.config import load_config

        freed = clear(load_config(config))
    else:
        freed = clear()
    plural = "y" if freed.entries == 1 else "ies"
    typer.echo(f"removed {freed.entries} entr{plural} ({_size(freed.bytes)}) from {freed.folder}")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``icpc`` console script; returns the exit code."""
    from icpc.run import kernel

    args = list(sys.argv[1:] if argv is None else argv)
    if _starts_a_run(args):
        # first thing: the notebook's kernel boots (~2 s) while the command line is parsed
        # and the data loads; the run takes it, a usage error stops it (discard_prestarted)
        kernel.prestart()
    try:
        return _main(args)
    finally:
        kernel.discard_prestarted()


def _starts_a_run(args: list[str]) -> bool:
    """Whether the command line asks for ``icpc run`` (its help aside)."""
    return bool(args) and args[0] == "run" and not {"--help", "-h"} & set(args)


def _main(argv: list[str]) -> int:
    from icpc.memory import keep_freed_memory
    from icpc.run.kernel import serialise_ast_parse, skip_iri_grammar

    keep_freed_memory()  # this process loads big files: reuse freed memory (see its docstring)
    skip_iri_grammar()  # ~0.85 s of imports no run needs (see its docstring)
    serialise_ast_parse()  # one thread at a time in ast.parse (CPython 3.11, see its docstring)
    try:
        code = app(args=argv, standalone_mode=False)
    except IcpcError as exc:
        print(f"icpc: {exc}", file=sys.stderr)
        return 2
    except RunError as exc:
        print(f"icpc: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("icpc: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        # usage errors of the command-line parser (typer ships its own click) carry
        # their own message and exit code (2)
        exit_code = getattr(exc, "exit_code", None)
        if hasattr(exc, "show") and isinstance(exit_code, int):
            print(f"icpc: {_usage_line(exc)}", file=sys.stderr)
            return exit_code
        if type(exc).__name__ == "Abort":
            print("icpc: aborted", file=sys.stderr)
            return 130
        raise
    return code if isinstance(code, int) else 0


def _usage_line(exc: Exception) -> str:
    """A usage error of the parser in one line: its message, and where the help is."""
    format_message = getattr(exc, "format_message", None)
    message = str(format_message() if callable(format_message) else exc)
    message = " ".join(message.split())  # the parser may wrap a long message
    names = []  # the subcommand's name: the program's own may be "python -m ..."
    ctx = getattr(exc, "ctx", None)
    while ctx is not None and getattr(ctx, "parent", None) is not None:
        names.append(str(ctx.info_name))
        ctx = ctx.parent
    command = " ".join(["icpc", *reversed(names)])
    message = message[:1].lower() + message[1:] if message[1:2].islower() else message
    return f"{message.rstrip('.')} (see {command} --help)"


def console() -> None:
    """The ``icpc`` console script: :func:`main`, then the process ends without its teardown.

    Once a command is done, the interpreter's own teardown (the modules' and objects'
    release, one by one: pandas, matplotlib, WeasyPrint, Jupyter's client, the data) takes
    ~0.5 s after ``icpc run``, for nothing: the system frees the process's memory at once.
    So the output is flushed, the exit handlers run (temporary folders removed, logs
    flushed), then the process ends (``os._exit``). A thread still working (none is, when a
    command returns) or output that cannot be flushed (a closed pipe, a full disk) gets
    the usual exit, which waits for the thread or reports the error.
    """
    import atexit
    import threading

    code = main()
    others = [
        t for t in threading.enumerate()
        if t is not threading.main_thread() and not t.daemon and t.is_alive()
    ]  # fmt: skip
    if others:
        raise SystemExit(code)
    atexit._run_exitfuncs()  # then cleared: the usual exit below would not run them twice
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        raise SystemExit(code) from None  # the interpreter reports it, as without this
    os._exit(code)


if __name__ == "__main__":
    console()
