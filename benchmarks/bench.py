"""Benchmarks of icpc (``make bench``): wall time and peak memory of the user's commands.

Each measured command runs as its own subprocess, exactly as a user runs it
(``icpc validate …``), so imports and start-up count. For each one we record:

* **wall time** (``time.perf_counter`` around the subprocess);
* **CPU seconds** (user + system, from the same ``os.wait4`` rusage, descendants
  included) and the **load average** when it started: this machine may be shared, and a
  wall time only means something next to the load it ran under;
* **peak RSS, largest process** — ``ru_maxrss`` from ``os.wait4``: exact (kept by the
  kernel, no sampling) and covers every descendant the command waited for, but it is the
  maximum of *one* process, not the sum of a tree (a batch runs workers and kernels side by
  side);
* **peak RSS, whole tree** — the sum of the RSS of the process and all its descendants,
  sampled every 50 ms with psutil (a dependency of dask.distributed): the real footprint of
  a batch or of a notebook run (Python + kernel), but it can miss a peak shorter than the
  sampling interval. Sampled only for the commands that start other processes (``run``,
  ``batch``): scanning ``/proc`` every 50 ms steals CPU from a command that keeps both
  cores busy (about 1 s on ``kpis`` here), and a single process's exact peak is
  ``ru_maxrss``. The memory targets are checked on the larger of the two.

The big inputs (an 8-million-line French CSV and the same data as Parquet) are generated
once with ``icpc sample DIR --lines N [--format parquet]`` and cached in ``--dir``; so is
the demo's books as a FEC of about a million lines (``icpc sample DIR --lines N --fec``).

``icpc kpis`` is measured *cold*: ``ICPC_NO_CACHE=1`` (the cache of cleaned datasets would
otherwise be written on the first run and read on the next ones), and against a reference:
``kpis-duckdb`` computes the same headline figures (kpis.json's ``kpis`` of N and N−1,
``bridge``, ``decomposition``) from the same Parquet with one DuckDB SQL query
(``benchmarks/duckdb_kpis.py``), start-up included, in a process of its own. The bench
checks that its figures equal kpis.json's to the cent (so the comparison is honest) and
prints ``icpc kpis`` / DuckDB as a ratio, against the target of at most 1.5.

``kpis-cached`` runs the same ``icpc kpis --json`` with the cache on, in a fresh cache
folder: a first run fills it (not measured: the cleaned dataset, and the kpis.json it
printed beside it), the second is measured and compared with the cold one (ratio, target
at most 0.3; its kpis.json must be the cold run's, byte for byte).

``--only scaling`` runs ``icpc kpis --json`` (cold) on about 1, 8 and 40 million lines and
prints wall time, peak RSS, time per line and bytes per line, so that linear growth shows.
The 40-million-line file is five copies of the 8-million-line one, each with its own
customer ids (``C…`` → ``D…``, ``E…``…: 5 × the customers) and invoice numbers (a copy
number in front), written row group by row group with pyarrow (seconds, little memory):
``icpc sample --lines 40000000`` would hold the whole generation in memory (about 3.4 GB
per 8 million lines, so some 17 GB, of this machine's 24 GiB). The customer master is
copied the same way; the activity log is the 8-million-line client's.

Usage::

    python benchmarks/bench.py --dir .bench              # full run (minutes)
    python benchmarks/bench.py --dir .bench --quick      # small sizes, for development
    python benchmarks/bench.py --dir .bench --only kpis-parquet --only run-demo
    python benchmarks/bench.py --dir .bench --only validate-fec
    python benchmarks/bench.py --dir .bench --only kpis-parquet --only kpis-duckdb
    python benchmarks/bench.py --dir .bench --only scaling
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data_samples" / "demo" / "client.yaml"
GB = 1024**3
FULL_LINES = 8_000_000
QUICK_LINES = 200_000
#: invoice lines behind the FEC (one sales entry per invoice: ~1.75 FEC lines per invoice line)
FEC_INVOICE_LINES = 570_000
QUICK_FEC_INVOICE_LINES = 57_000
BATCH_CLIENTS = 8
QUICK_BATCH_CLIENTS = 4
SAMPLE_INTERVAL = 0.05
#: kpis / DuckDB wall time, cold, in the same run (issue 14)
MAX_DUCKDB_RATIO = 1.5
#: second kpis on unchanged inputs (the cache of cleaned datasets) / the cold one (issue 14)
MAX_CACHED_RATIO = 0.3
#: lines of the scaling table: the small one, the big files' (``--lines``), and five copies of it
SCALE_SMALL, QUICK_SCALE_SMALL = 1_000_000, 25_000
SCALE_COPIES = 5
DUCKDB_SCRIPT = Path(__file__).resolve().parent / "duckdb_kpis.py"

try:
    import psutil
except ImportError:  # pragma: no cover - psutil comes with dask.distributed
    psutil = None


# --------------------------------------------------------------------------------------
# measuring one command
# --------------------------------------------------------------------------------------
@dataclass
class Measure:
    """One measured command."""

    name: str
    command: list[str]
    seconds: float = 0.0
    max_rss: int = 0  # bytes, largest single process (wait4)
    tree_rss: int = 0  # bytes, sum over the process tree (sampled)
    cpu_seconds: float = 0.0  # user + system of the command and the descendants it waited for
    load_before: float | None = None  # 1-minute load average when it started (shared machine)
    returncode: int = 0
    error: str = ""
    target: str = ""
    passed: bool | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def peak(self) -> int:
        return max(self.max_rss, self.tree_rss)


def _tree_rss(pid: int) -> int:
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            continue
    return total


#: commands that start other processes (a notebook kernel, batch workers): only their
#: memory needs the sampled tree; a single process has its exact peak in ``ru_maxrss``,
#: and sampling it would steal CPU from it (psutil scans /proc every 50 ms, on 2 cores)
MULTI_PROCESS = {"run-demo", "batch-jobs1", "batch-jobs2"}


def measure(
    name: str, command: list[str], *, env: dict[str, str], stdout: Path | None = None
) -> Measure:
    """Run ``command`` once; return its wall time, peak RSS (largest process and tree).

    The process tree is sampled only for :data:`MULTI_PROCESS` commands; for the others
    the tree is the process itself and its peak is the exact ``ru_maxrss``. ``stdout``:
    a file that receives the command's output (else it is dropped).
    """
    result = Measure(name, command)
    result.load_before = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
    peak = [0]
    done = threading.Event()
    out = open(stdout, "wb") if stdout is not None else subprocess.DEVNULL  # noqa: SIM115
    start = time.perf_counter()
    try:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    finally:
        if stdout is not None:
            out.close()  # type: ignore[union-attr]  # the child has its own copy

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            done.wait(SAMPLE_INTERVAL)

    tree = psutil is not None and name in MULTI_PROCESS
    sampler = threading.Thread(target=sample, daemon=True) if tree else None
    if sampler is not None:
        sampler.start()
    stderr = proc.stderr.read() if proc.stderr else b""  # until the command closes it
    _, status, usage = os.wait4(proc.pid, 0)
    result.seconds = time.perf_counter() - start
    done.set()
    if sampler is not None:
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4, tell Popen
    result.returncode = proc.returncode
    # ru_maxrss is in kilobytes on Linux, bytes on macOS
    result.max_rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    result.tree_rss = peak[0] if tree else result.max_rss
    result.cpu_seconds = usage.ru_utime + usage.ru_stime
    if proc.returncode != 0:
        lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
        result.error = lines[-1] if lines else f"exit status {proc.returncode}"
    return result


# --------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------
def icpc_command() -> list[str]:
    script = Path(sys.executable).parent / "icpc"
    return [str(script)] if script.exists() else [sys.executable, "-m", "icpc.cli"]


def sample(
    directory: Path,
    *,
    env: dict[str, str],
    args: list[str],
    slug: str | None = None,
    fec: bool = False,
) -> Path:
    """Generate a sample client in ``directory`` once (cached); return its config path.

    ``slug`` replaces the sample's slug (the clients of one batch need distinct ones);
    ``fec`` writes the books as a FEC (``icpc sample --fec``).
    """
    marker = directory / ".config-path"
    if marker.is_file() and Path(marker.read_text().strip()).is_file():
        return Path(marker.read_text().strip())
    if directory.exists():
        shutil.rmtree(directory)
    print(f"generating {directory} ({' '.join(args) or 'demo size'}) ...", flush=True)
    start = time.perf_counter()
    command = [*icpc_command(), "sample", str(directory), *args, *(["--fec"] if fec else [])]
    out = subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    config = Path(out.stdout.strip().splitlines()[-1])
    if not config.is_absolute():
        config = (ROOT / config).resolve()
    if slug is not None:
        text = config.read_text(encoding="utf-8")
        config.write_text(re.sub(r"(?m)^slug:.*$", f"slug: {slug}", text), encoding="utf-8")
    marker.write_text(str(config))
    print(f"  done in {time.perf_counter() - start:.0f} s: {config}", flush=True)
    return config


# --------------------------------------------------------------------------------------
# the benchmarks
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Bench:
    name: str
    what: str
    max_seconds: float | None = None
    max_gb: float | None = None


BENCHES = [
    Bench("validate-csv", "icpc validate, {lines} lines, French CSV", 20, 4),
    Bench("validate-parquet", "icpc validate, {lines} lines, Parquet"),
    Bench("validate-fec", "icpc validate, FEC (| separated, ISO-8859-15)"),
    Bench("kpis-parquet", "icpc kpis --json, {lines} lines, Parquet, cold", 6, 2),
    Bench("kpis-duckdb", "DuckDB SQL of kpis.json's headline figures, same Parquet"),
    Bench(
        "kpis-cached", "icpc kpis --json, same Parquet, second run (cache: dataset and kpis.json)"
    ),
    Bench("kpis-customers", "icpc kpis --json --customers-csv, Parquet", 8, 3),
    Bench("run-demo", "icpc run, demo client (notebook, PDF, Excel)", 5),
    Bench("batch-jobs1", "icpc batch, {clients} demo-size clients, --jobs 1"),
    Bench("batch-jobs2", "icpc batch, {clients} demo-size clients, --jobs 2"),
]
NAMES = [b.name for b in BENCHES]


def check(bench: Bench, m: Measure) -> None:
    """Fill the target column and the pass/fail mark."""
    parts, ok = [], True
    if bench.max_seconds is not None:
        parts.append(f"< {bench.max_seconds:g} s")
        ok &= m.seconds < bench.max_seconds
    if bench.max_gb is not None:
        parts.append(f"< {bench.max_gb:g} GB")
        ok &= m.peak < bench.max_gb * GB
    m.target = ", ".join(parts)
    m.passed = (ok and m.returncode == 0) if parts else (None if m.returncode == 0 else False)


def machine() -> dict[str, object]:
    """Cores, memory, CPU model, load: what the figures depend on."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    memory = psutil.virtual_memory().total if psutil is not None else None
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "memory_gb": round(memory / GB, 1) if memory else None,
        "load_average": [round(x, 2) for x in os.getloadavg()]
        if hasattr(os, "getloadavg")
        else None,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def _count_lines(path: Path) -> int:
    """Lines of a text file (read by blocks of 16 MiB)."""
    count = 0
    with open(path, "rb") as fh:
        while block := fh.read(16 << 20):
            count += block.count(b"\n")
    return count


def fmt_gb(n: int) -> str:
    return f"{n / GB:.2f}" if n else "-"


def print_table(
    results: list[Measure], info: dict[str, object], *, lines: int, clients: int
) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 160)
    table = Table(title=f"icpc benchmarks ({lines:,} lines)".replace(",", " "))
    for col, justify in [("benchmark", "left"), ("what", "left"), ("wall s", "right"), ("cpu s", "right"),
                         ("load", "right"),
                         ("peak GB process", "right"), ("peak GB tree", "right"),
                         ("target", "left"), ("", "left")]:  # fmt: skip
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for m in results:
        mark = {True: "[green]pass[/]", False: "[bold red]FAIL[/]", None: ""}[m.passed]
        what = next(b.what for b in BENCHES if b.name == m.name)
        what = what.format(lines=f"{lines:,}".replace(",", " "), clients=clients)
        for note in m.notes:
            what += f" {note}"
        if m.error:
            what += " [red](failed, see below)[/]"
        load = f"{m.load_before:.1f}" if m.load_before is not None else "-"
        table.add_row(
            m.name,
            what,
            f"{m.seconds:.1f}",
            f"{m.cpu_seconds:.1f}",
            load,
            fmt_gb(m.max_rss),
            fmt_gb(m.tree_rss),
            m.target,
            mark,
        )
    console.print(table)
    for m in results:
        if m.error:
            console.print(
                f"[red]{m.name}[/]: exit status {m.returncode}: {m.error}", highlight=False
            )
    console.print(
        "machine: {cpu}, {usable_cores}/{cores} cores usable, {memory_gb} GB RAM, {os}, Python {python}; "
        "load average at start {load_average}".format(**info)
    )


# --------------------------------------------------------------------------------------
# the 40-million-line client, the DuckDB reference, the scaling table
# --------------------------------------------------------------------------------------
def copies(source: Path, directory: Path, n: int) -> Path:
    """The Parquet client of config ``source`` ``n`` times over (cached); return its config.

    Copy ``k`` (0 = the original) has its customer ids' first letter moved ``k`` letters on
    (``C004488`` → ``D004488``: the same width, distinct customers) and its invoice numbers
    prefixed with ``k-``; the customer master is copied the same way, the activity log
    and everything else is the source's. Written row group by row group with pyarrow.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    import yaml

    marker = directory / ".config-path"
    if marker.is_file() and Path(marker.read_text().strip()).is_file():
        return Path(marker.read_text().strip())
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    print(f"building {directory} ({n} copies of {source.parent.name}) ...", flush=True)
    start = time.perf_counter()
    config = yaml.safe_load(source.read_text(encoding="utf-8"))

    def shifted(column: pa.ChunkedArray, k: int, *, invoice: bool) -> pa.ChunkedArray:
        if k == 0:
            return column
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        if invoice:
            return pc.binary_join_element_wise(f"{k}-", column, "")
        return pc.replace_substring_regex(column, r"^(\s*)C", rf"\1{chr(ord('C') + k)}")

    for key, id_cols in (
        ("transactions", ("customer_id", "invoice_id")),
        ("customers", ("customer_id",)),
    ):
        spec = config[key]
        headers = {spec["columns"][c]: c for c in id_cols if c in spec["columns"]}
        src = pq.ParquetFile(source.parent / spec["path"])
        with pq.ParquetWriter(directory / spec["path"], src.schema_arrow) as writer:
            for k in range(n):
                for group in range(src.num_row_groups):
                    table = src.read_row_group(group)
                    for header, canon in headers.items():
                        i = table.schema.get_field_index(header)
                        column = shifted(table.column(i), k, invoice=canon == "invoice_id")
                        table = table.set_column(
                            i, table.schema.field(i), column.cast(table.schema.field(i).type)
                        )
                    writer.write_table(table)
    for other in source.parent.iterdir():
        if (
            other.is_file()
            and not (directory / other.name).exists()
            and other.name != ".config-path"
        ):
            shutil.copy2(other, directory / other.name)
    text = source.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^slug:.*$", f"slug: {config['slug']}-x{n}", text)
    (directory / source.name).write_text(text, encoding="utf-8")
    marker.write_text(str(directory / source.name))
    print(f"  done in {time.perf_counter() - start:.0f} s", flush=True)
    return directory / source.name


def _parquet_rows(config: Path) -> int:
    import pyarrow.parquet as pq
    import yaml

    spec = yaml.safe_load(config.read_text(encoding="utf-8"))["transactions"]
    return pq.ParquetFile(config.parent / spec["path"]).metadata.num_rows


def compare_figures(reference: dict, kpis: dict) -> list[str]:
    """The figures where DuckDB's ``reference`` and kpis.json differ (money to the cent)."""
    out: list[str] = []

    def same(name: str, ours: object, theirs: object, *, money: bool = False) -> None:
        if isinstance(ours, float) or isinstance(theirs, float):
            if ours is None or theirs is None:
                ok = ours is theirs
            elif money:  # to the cent: the same total rounded once (half a cent at most apart)
                ok = abs(float(ours) - float(theirs)) < 0.0051
            else:
                ok = abs(float(ours) - float(theirs)) <= 1e-9 * max(1.0, abs(float(theirs)))
        else:
            ok = ours == theirs
        if not ok:
            out.append(f"{name}: DuckDB {ours!r}, kpis.json {theirs!r}")

    k = kpis["kpis"]
    same("period", reference["period"], kpis["period"])
    same("previous_period", reference["previous_period"], kpis["previous_period"])
    for name in ("revenue", "sales_count", "active_customers", "average_basket"):
        for when in ("current", "previous"):
            same(f"{name}.{when}", reference[name][when], k[name][when], money=name == "revenue")
    for name in ("new_customers", "retained_customers", "reactivated_customers", "lost_customers",
                 "churn_rate", "retention_rate"):  # fmt: skip
        same(name, reference[name], k[name])
    same("lost_revenue", reference["lost_revenue"], k["lost_revenue"], money=True)
    for block in ("bridge", "decomposition"):
        for name, value in reference[block].items():
            same(f"{block}.{name}", value, kpis[block][name], money=True)
    return out


@dataclass
class ScaleRow:
    lines: int
    measure: Measure


def print_scaling(rows: list[ScaleRow]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 160)
    table = Table(title="icpc kpis --json (cold) as the file grows")
    for col in ("lines", "wall s", "cpu s", "load", "peak GB", "µs / line", "bytes / line",
                "time × smallest", "lines × smallest", ""):  # fmt: skip
        table.add_column(col, justify="right")
    first = rows[0] if rows else None
    for row in rows:
        m = row.measure
        assert first is not None
        table.add_row(
            f"{row.lines:,}".replace(",", " "),
            f"{m.seconds:.1f}",
            f"{m.cpu_seconds:.1f}",
            f"{m.load_before:.1f}" if m.load_before is not None else "-",
            fmt_gb(m.max_rss),
            f"{m.seconds / row.lines * 1e6:.2f}",
            f"{m.max_rss / row.lines:.0f}",
            f"{m.seconds / first.measure.seconds:.1f}" if first.measure.seconds else "-",
            f"{row.lines / first.lines:.1f}",
            "[red]failed[/]" if m.returncode else "",
        )
    console.print(table)
    for row in rows:
        if row.measure.error:
            console.print(f"[red]{row.lines} lines[/]: {row.measure.error}", highlight=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dir", type=Path, default=ROOT / ".bench", help="cache of generated inputs and outputs"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=[*NAMES, "scaling"],
        help="run only this benchmark (repeatable); scaling: kpis on 1, 8 and 40 million lines",
    )
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK_LINES:,} lines instead of {FULL_LINES:,}"
    )
    parser.add_argument("--lines", type=int, help="lines of the big files (overrides --quick)")
    args = parser.parse_args(argv)

    lines = args.lines or (QUICK_LINES if args.quick else FULL_LINES)
    selected = args.only or [*NAMES, "scaling"]
    n_clients = QUICK_BATCH_CLIENTS if args.quick else BATCH_CLIENTS
    base = args.dir.resolve()
    base.mkdir(parents=True, exist_ok=True)
    # cold: every command loads and cleans the files (the cache of cleaned datasets off)
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONWARNINGS": "ignore", "ICPC_NO_CACHE": "1"}
    icpc = icpc_command()
    info = machine()

    csv_cfg = pq_cfg = None
    if {"validate-csv"} & set(selected):
        csv_cfg = sample(base / f"csv-{lines}", env=env, args=["--lines", str(lines)])
    if {
        "validate-parquet",
        "kpis-parquet",
        "kpis-customers",
        "kpis-duckdb",
        "kpis-cached",
        "scaling",
    } & set(selected):
        pq_cfg = sample(
            base / f"parquet-{lines}", env=env, args=["--lines", str(lines), "--format", "parquet"]
        )
    fec_cfg = None
    if "validate-fec" in selected:
        n_fec = QUICK_FEC_INVOICE_LINES if args.quick else FEC_INVOICE_LINES
        fec_cfg = sample(base / f"fec-{n_fec}", env=env, args=["--lines", str(n_fec)], fec=True)
    batch_list = None
    if {"batch-jobs1", "batch-jobs2"} & set(selected):
        configs = [sample(base / "clients" / f"client-{i}", env=env, args=["--seed", str(i)], slug=f"bench-client-{i}")
                   for i in range(1, n_clients + 1)]  # fmt: skip
        batch_list = base / "clients" / "clients.txt"
        batch_list.write_text("".join(f"{c}\n" for c in configs))

    def fresh(name: str) -> Path:
        path = base / "out" / name
        if path.exists():
            shutil.rmtree(path)
        return path

    commands: dict[str, Callable[[], list[str]]] = {
        "validate-csv": lambda: [*icpc, "validate", str(csv_cfg)],
        "validate-parquet": lambda: [*icpc, "validate", str(pq_cfg)],
        "validate-fec": lambda: [*icpc, "validate", str(fec_cfg)],
        "kpis-parquet": lambda: [*icpc, "kpis", str(pq_cfg), "--json"],
        "kpis-duckdb": lambda: [sys.executable, str(DUCKDB_SCRIPT), str(pq_cfg)],
        "kpis-cached": lambda: [*icpc, "kpis", str(pq_cfg), "--json"],
        "kpis-customers": lambda: [
            *icpc,
            "kpis",
            str(pq_cfg),
            "--json",
            "--customers-csv",
            str(fresh("customers") / "customers.csv"),
        ],  # fmt: skip
        "run-demo": lambda: [*icpc, "run", str(DEMO), "--out", str(fresh("run-demo"))],
        "batch-jobs1": lambda: [
            *icpc,
            "batch",
            str(batch_list),
            "--jobs",
            "1",
            "--force",
            "--out",
            str(fresh("batch-1")),
        ],
        "batch-jobs2": lambda: [
            *icpc,
            "batch",
            str(batch_list),
            "--jobs",
            "2",
            "--force",
            "--out",
            str(fresh("batch-2")),
        ],
    }
    #: the outputs compared: kpis.json and the DuckDB figures
    outputs = {
        "kpis-parquet": base / "out" / f"kpis-{lines}.json",
        "kpis-duckdb": base / "out" / f"duckdb-{lines}.json",
        "kpis-cached": base / "out" / f"kpis-cached-{lines}.json",
    }
    # the second run's cache: a fresh folder, filled by a first (unmeasured) run
    cached_env = {k: v for k, v in env.items() if k != "ICPC_NO_CACHE"}
    cached_env["ICPC_CACHE_DIR"] = str(base / "out" / "cache")
    (base / "out").mkdir(exist_ok=True)
    results: list[Measure] = []
    for bench in BENCHES:
        if bench.name not in selected:
            continue
        print(f"running {bench.name} ...", flush=True)
        stdout = outputs.get(bench.name)
        run_env = env
        if bench.name == "kpis-cached":
            shutil.rmtree(cached_env["ICPC_CACHE_DIR"], ignore_errors=True)
            fill = measure("kpis-cache-fill", commands[bench.name](), env=cached_env)
            print(f"  first run (fills the cache): {fill.seconds:.1f} s", flush=True)
            run_env = cached_env
        m = measure(bench.name, commands[bench.name](), env=run_env, stdout=stdout)
        check(bench, m)
        if bench.name == "validate-fec" and fec_cfg is not None:
            m.notes.append(
                f"{_count_lines(fec_cfg.parent / 'FEC.txt') - 1:,} lines".replace(",", " ")
            )
        results.append(m)
        print(
            f"  {m.seconds:.1f} s, {fmt_gb(m.peak)} GB" + (f"  ERROR {m.error}" if m.error else ""),
            flush=True,
        )

    got = {m.name: m for m in results}
    if "batch-jobs1" in got and "batch-jobs2" in got:
        one, two = got["batch-jobs1"], got["batch-jobs2"]
        ratio = two.seconds / one.seconds if one.seconds else float("nan")
        two.target = "≤ 0.6 × jobs 1"
        two.passed = ratio <= 0.6 and one.returncode == 0 and two.returncode == 0
        two.notes.append(f"= {ratio:.2f} × jobs 1 (speed-up {1 / ratio:.2f}×)")

    if "kpis-cached" in got:
        warm = got["kpis-cached"]
        warm.target = f"≤ {MAX_CACHED_RATIO:g} × cold kpis"
        if warm.returncode == 0 and "kpis-parquet" in got and got["kpis-parquet"].returncode == 0:
            ratio = warm.seconds / got["kpis-parquet"].seconds
            same = outputs["kpis-cached"].read_bytes() == outputs["kpis-parquet"].read_bytes()
            warm.notes.append(f"= {ratio:.2f} × cold kpis")
            warm.notes.append("(kpis.json identical)" if same else "[red](kpis.json differs)[/]")
            warm.passed = ratio <= MAX_CACHED_RATIO and same
        else:
            warm.passed = False if warm.returncode else None

    if "kpis-duckdb" in got:
        duck = got["kpis-duckdb"]
        duck.target = f"kpis ≤ {MAX_DUCKDB_RATIO:g} × this"
        if duck.returncode == 0 and "kpis-parquet" in got and got["kpis-parquet"].returncode == 0:
            ours = got["kpis-parquet"]
            ratio = ours.seconds / duck.seconds
            differ = compare_figures(
                json.loads(outputs["kpis-duckdb"].read_text()),
                json.loads(outputs["kpis-parquet"].read_text()),
            )
            duck.notes.append(f"= kpis / {ratio:.2f}")
            duck.notes.append(
                "(figures equal to kpis.json's)"
                if not differ
                else f"[red](figures differ: {len(differ)})[/]"
            )
            duck.passed = ratio <= MAX_DUCKDB_RATIO and not differ
            for line in differ:
                print(f"kpis-duckdb: {line}", flush=True)
        else:
            duck.passed = False if duck.returncode else None

    scale_rows: list[ScaleRow] = []
    if "scaling" in selected:
        assert pq_cfg is not None
        small = QUICK_SCALE_SMALL if args.quick and not args.lines else SCALE_SMALL
        small_cfg = sample(
            base / f"parquet-{small}", env=env, args=["--lines", str(small), "--format", "parquet"]
        )
        big_cfg = copies(pq_cfg, base / f"parquet-{lines}-x{SCALE_COPIES}", SCALE_COPIES)
        for cfg in (small_cfg, pq_cfg, big_cfg):
            n_rows = _parquet_rows(cfg)
            if cfg == pq_cfg and "kpis-parquet" in got:
                m = got["kpis-parquet"]  # the same command, measured above
            else:
                print(f"running scaling, {n_rows:,} lines ...".replace(",", " "), flush=True)
                m = measure("scaling", [*icpc, "kpis", str(cfg), "--json"], env=env)
                print(f"  {m.seconds:.1f} s, {fmt_gb(m.peak)} GB", flush=True)
            scale_rows.append(ScaleRow(n_rows, m))

    print_table(results, info, lines=lines, clients=n_clients)
    if scale_rows:
        print_scaling(scale_rows)
    (base / "results.json").write_text(
        json.dumps(
            {
                "machine": info,
                "lines": lines,
                "batch_clients": n_clients,
                "results": [asdict(m) for m in results],
                "scaling": [{"lines": r.lines, **asdict(r.measure)} for r in scale_rows],
            },
            indent=2,
        )
    )
    failed = [r for r in scale_rows if r.measure.returncode]
    return 0 if all(m.passed is not False for m in results) and not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
