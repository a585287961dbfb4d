"""The cache of cleaned datasets: a hit gives the dataset a fresh load gives; anything that
shapes the data misses; clients never share an entry; concurrent processes, corrupt entries
and the size limit are handled; the commands' switches (``--no-cache``, ``ICPC_NO_CACHE``,
``icpc cache clear``) do what they say.

Each test has its own empty cache folder (``ICPC_CACHE_DIR``, tests/conftest.py).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

import icpc.cleaning.dataset as dataset_mod
from icpc import cli
from icpc.cleaning import Dataset, cache, load_dataset, load_saved_dataset, save_dataset
from icpc.config import load_config
from icpc.exceptions import ConfigError, InputError

FRAMES = ("transactions", "customers", "activity")

YAML = """\
client: "{client}"
slug: {slug}
as_of: 2024-12-31
language: fr
transactions:
  path: factures.csv
  drop_duplicates: false
  columns: {{customer_id: "Code", date: "Date", amount: "Montant", invoice_id: "Facture",
            salesperson: "Commercial"}}
customers:
  path: clients.csv
  columns: {{customer_id: "Code", name: "Nom", city: "Ville"}}
activity:
  path: activite.csv
  columns: {{date: "Date", salesperson: "Commercial", type: "Type", customer_id: "Client"}}
  types:
    call: ["Appel sortant"]
thresholds:
  lost_after_days: 365
"""

FACTURES = [
    "Code;Date;Facture;Montant;Commercial",
    "0042;03/01/2023;F1;1 234,56;Amélie",
    "0043;05/02/2023;F2;-50,00;Luc",
    "0044;06/03/2024;F3;20,00;Luc",
    "0042;08/05/2024;F5;99,99;Amélie",
    "0045;09/06/2024;F6;abc;Luc",  # an amount that does not parse: in the ledger
    "0046;10/07/2024;F7;310,00;Amélie",
]
CLIENTS = ["Code;Nom;Ville", "0042;Alpha SARL;Bourg", "0043;Beta;Lyon", "0044;Gamma;Paris"]
ACTIVITE = ["Date;Commercial;Type;Client", "02/02/2024;Luc;Appel sortant;0043"]


def _write_client(folder: Path, *, client: str = "Société Alpha", slug: str = "alpha") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, lines in (
        ("factures.csv", FACTURES),
        ("clients.csv", CLIENTS),
        ("activite.csv", ACTIVITE),
    ):
        (folder / name).write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    path = folder / "client.yaml"
    path.write_text(YAML.format(client=client, slug=slug), encoding="utf-8")
    return path


@pytest.fixture
def client_yaml(tmp_path: Path) -> Path:
    return _write_client(tmp_path / "alpha")


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The client slugs whose files were really read and cleaned (misses)."""
    seen: list[str] = []
    original = dataset_mod._load_dataset

    def counting(config: Any, worker: Any) -> Dataset:
        seen.append(config.slug)
        return original(config, worker)

    monkeypatch.setattr(dataset_mod, "_load_dataset", counting)
    return seen


def _entries() -> list[Path]:
    root = cache.cache_dir() / "datasets"
    if not root.is_dir():
        return []
    return sorted(e for c in root.iterdir() for e in c.iterdir() if not e.name.startswith("."))


def _assert_same(expected: Dataset, got: Dataset) -> None:
    for name in FRAMES:
        frame, other = getattr(expected, name), getattr(got, name)
        if frame is None:
            assert other is None, name
            continue
        pd.testing.assert_frame_equal(frame, other, check_exact=True, check_categorical=True)
        assert list(frame.dtypes.astype(str)) == list(other.dtypes.astype(str)), name
        for column in frame.columns:
            if isinstance(frame[column].dtype, pd.CategoricalDtype):
                assert frame[column].cat.categories.equals(other[column].cat.categories), column
                assert frame[column].cat.categories.dtype == other[column].cat.categories.dtype
        assert type(frame.index) is type(other.index), name
    assert got.as_of == expected.as_of
    assert got.ledgers == expected.ledgers and got.ledger == expected.ledger
    assert got.data_quality() == expected.data_quality()


# ------------------------------------------------------------------ where, whether, how much
@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"ICPC_CACHE_DIR": "{tmp}/own", "XDG_CACHE_HOME": "{tmp}/xdg"}, "{tmp}/own"),
        ({"ICPC_CACHE_DIR": "", "XDG_CACHE_HOME": "{tmp}/xdg"}, "{tmp}/xdg/icpc"),
        ({"XDG_CACHE_HOME": "relative/xdg"}, "{home}/.cache/icpc"),
        ({}, "{home}/.cache/icpc"),
    ],
    ids=["ICPC_CACHE_DIR-first", "then-XDG_CACHE_HOME", "relative-XDG-ignored", "then-home"],
)
def test_cache_folder_resolution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    for name in ("ICPC_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value.format(tmp=tmp_path))
    assert cache.cache_dir() == Path(expected.format(tmp=tmp_path, home=home))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", 2 * 1024**3),
        ("1000", 1000),
        ("500M", 500 * 1024**2),
        ("1.5GiB", 3 * 1024**3 // 2),
        ("2 gb", 2 * 1024**3),
        ("0", 0),
    ],  # fmt: skip
    ids=["default", "bytes", "M", "GiB-decimal", "gb-spaced", "zero"],
)
def test_size_limit_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: int
) -> None:
    monkeypatch.setenv("ICPC_CACHE_MAX_BYTES", value)
    assert cache.max_bytes() == expected


def test_a_bad_size_limit_says_how_to_write_it(
    client_yaml: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ICPC_CACHE_MAX_BYTES", "two gigs")
    with pytest.raises(ConfigError, match=r"ICPC_CACHE_MAX_BYTES='two gigs' is not a size.*2G"):
        load_dataset(load_config(client_yaml), cache=True)


# ------------------------------------------------------------------ hits and misses
def test_second_load_is_a_hit_with_the_fresh_dataset(client_yaml: Path, loads: list[str]) -> None:
    config = load_config(client_yaml)
    first = load_dataset(config, cache=True)
    assert loads == ["alpha"] and len(_entries()) == 1
    again = load_dataset(config, cache=True)
    assert loads == ["alpha"]  # read back, not loaded
    fresh = load_dataset(config)
    _assert_same(fresh, first)
    _assert_same(fresh, again)
    assert again.config is config
    assert again.ledger is again.ledgers["transactions"]
    assert sorted(p.name for p in _entries()[0].iterdir()) == [
        "activity.arrow", "customers.arrow", "dataset.json", "transactions.arrow", "used",
    ]  # fmt: skip


def test_a_touched_file_hits_an_edited_one_misses(client_yaml: Path, loads: list[str]) -> None:
    facts = client_yaml.parent / "factures.csv"
    load_dataset(load_config(client_yaml), cache=True)
    stat = facts.stat()
    os.utime(facts, ns=(stat.st_atime_ns + 10**9, stat.st_mtime_ns + 10**9))  # touched
    load_dataset(load_config(client_yaml), cache=True)
    assert loads == ["alpha"]
    data = facts.read_bytes()
    edited = data.replace(b"310,00", b"410,00")  # same size
    assert len(edited) == len(data)
    facts.write_bytes(edited)
    os.utime(facts, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the same date as before
    back = load_dataset(load_config(client_yaml), cache=True)
    assert loads == ["alpha", "alpha"]
    assert back.transactions["amount"].max() == pytest.approx(1234.56)
    assert 410.0 in set(back.transactions["amount"])
    assert len(_entries()) == 2


@pytest.mark.parametrize(
    ("old", "new", "hit"),
    [
        ('amount: "Montant"', 'amount: "Montant", margin: "Montant"', False),
        ("drop_duplicates: false", "drop_duplicates: true", False),
        ("as_of: 2024-12-31", "as_of: 2024-06-30", False),
        ("language: fr", 'language: fr\nexclude: {customers: ["0043"]}', False),
        ('call: ["Appel sortant"]', 'call: ["Appel sortant", "Rappel"]', False),
        ("language: fr", "language: en", True),
        ("lost_after_days: 365", "lost_after_days: 200", True),
        ("language: fr", "language: fr\nbranding: {firm: Cabinet Conseil}", True),
    ],
    ids=[
        "columns",
        "drop_duplicates",
        "as_of",
        "exclusions",
        "activity-types",
        "language-hits",
        "thresholds-hit",
        "branding-hits",
    ],  # fmt: skip
)
def test_loading_settings_miss_presentation_settings_hit(
    client_yaml: Path, loads: list[str], old: str, new: str, hit: bool
) -> None:
    load_dataset(load_config(client_yaml), cache=True)
    text = client_yaml.read_text(encoding="utf-8")
    assert old in text
    client_yaml.write_text(text.replace(old, new, 1), encoding="utf-8")
    config = load_config(client_yaml)
    got = load_dataset(config, cache=True)
    assert len(loads) == (1 if hit else 2)
    assert got.config is config  # the language, thresholds… of the config given
    _assert_same(load_dataset(config), got)


def test_an_as_of_given_on_the_command_line_is_another_entry(
    client_yaml: Path, loads: list[str]
) -> None:
    config = load_config(client_yaml)
    load_dataset(config, cache=True)
    earlier = load_dataset(config.with_as_of("2024-06-30"), cache=True)
    assert len(loads) == 2 and earlier.as_of.isoformat() == "2024-06-30"


def test_another_code_version_misses(
    client_yaml: Path, loads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    load_dataset(load_config(client_yaml), cache=True)
    monkeypatch.setattr("icpc.export.manifest._cached_code_version", lambda: "0.1.0+edited")
    load_dataset(load_config(client_yaml), cache=True)
    assert len(loads) == 2 and len(_entries()) == 2


def test_another_cache_format_misses(
    client_yaml: Path, loads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    load_dataset(load_config(client_yaml), cache=True)
    monkeypatch.setattr(cache, "_VERSION", cache._VERSION + 1)
    load_dataset(load_config(client_yaml), cache=True)
    assert len(loads) == 2


class _Recorder:
    """A config that records which of its fields are read."""

    def __init__(self, config: Any) -> None:
        self._config, self.read = config, set()

    def __getattr__(self, name: str) -> Any:
        self.read.add(name)
        return getattr(self._config, name)


def test_the_key_holds_every_config_field_the_load_reads(client_yaml: Path) -> None:
    config = load_config(client_yaml)
    recorder = _Recorder(config)
    dataset = load_dataset(recorder)  # type: ignore[arg-type]
    assert recorder.read <= set(cache.CLEANING_FIELDS), (
        f"load_dataset reads {sorted(recorder.read - set(cache.CLEANING_FIELDS))}: "
        "add them to CLEANING_FIELDS (the cache's key)"
    )
    assert recorder.read and dataset.as_of.isoformat() == "2024-12-31"


# ------------------------------------------------------------------ clients, errors, bypass
def test_two_clients_with_identical_files_never_share_an_entry(
    tmp_path: Path, loads: list[str]
) -> None:
    one = _write_client(tmp_path / "one", client="Société Alpha", slug="alpha")
    two = _write_client(tmp_path / "two", client="Société Beta", slug="beta")
    load_dataset(load_config(one), cache=True)
    got = load_dataset(load_config(two), cache=True)
    assert loads == ["alpha", "beta"]
    entries = _entries()
    assert len(entries) == 2 and entries[0].parent != entries[1].parent
    assert got.config.slug == "beta"
    names = [p.name for p in cache.cache_dir().rglob("*")]
    assert not [n for n in names if "alpha" in n.lower() or "beta" in n.lower()], names
    # the same files and slug under another config path: another client, another folder
    three = _write_client(tmp_path / "three", client="Société Alpha", slug="alpha")
    load_dataset(load_config(three), cache=True)
    assert len({e.parent for e in _entries()}) == 3


def test_an_error_is_never_cached_and_reads_as_before(
    client_yaml: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = client_yaml.read_text(encoding="utf-8")
    client_yaml.write_text(text.replace('amount: "Montant"', 'amount: "Montant HT"'), "utf-8")
    config = load_config(client_yaml)
    with pytest.raises(InputError) as plain:
        load_dataset(config)
    with pytest.raises(InputError) as cached:
        load_dataset(config, cache=True)
    assert str(cached.value) == str(plain.value) and "Montant HT" in str(plain.value)
    assert _entries() == []
    (client_yaml.parent / "clients.csv").unlink()  # a missing file: the loader's message
    with pytest.raises(InputError) as plain:
        load_dataset(config)
    with pytest.raises(InputError) as cached:
        load_dataset(config, cache=True)
    assert str(cached.value) == str(plain.value)


@pytest.mark.parametrize("value", ["1", "yes", "true"], ids=str)
def test_icpc_no_cache_bypasses_it(
    client_yaml: Path, loads: list[str], monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    load_dataset(load_config(client_yaml), cache=True)
    monkeypatch.setenv("ICPC_NO_CACHE", value)
    load_dataset(load_config(client_yaml), cache=True)
    assert len(loads) == 2 and len(_entries()) == 1
    cache.clear()
    load_dataset(load_config(client_yaml), cache=True)
    assert _entries() == []  # nothing kept either
    monkeypatch.setenv("ICPC_NO_CACHE", "0")
    assert cache.cache_enabled()


def test_the_library_caches_only_when_asked(client_yaml: Path, loads: list[str]) -> None:
    load_dataset(load_config(client_yaml))
    load_dataset(load_config(client_yaml))
    assert len(loads) == 2 and _entries() == []


def test_files_changed_during_the_load_are_not_kept(
    client_yaml: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = dataset_mod.load_dataset

    def load_while_exported(config: Any, **kwargs: Any) -> Dataset:
        result = original(config, **kwargs)
        facts = client_yaml.parent / "factures.csv"
        facts.write_bytes(facts.read_bytes() + b"0047;11/07/2024;F8;5,00;Luc\r\n")
        return result

    monkeypatch.setattr(dataset_mod, "load_dataset", load_while_exported)
    cache.load_cached(load_config(client_yaml))
    assert _entries() == []


# ------------------------------------------------------------------ robustness
@pytest.mark.parametrize(
    "damage",
    ["truncate", "json", "missing-frame"],
    ids=["truncated-frame", "bad-json", "missing-frame"],
)
def test_a_corrupt_entry_is_a_miss_and_is_replaced(
    client_yaml: Path, loads: list[str], damage: str
) -> None:
    config = load_config(client_yaml)
    load_dataset(config, cache=True)
    (entry,) = _entries()
    if damage == "truncate":
        path = entry / "transactions.arrow"
        path.write_bytes(path.read_bytes()[:200])
    elif damage == "json":
        (entry / "dataset.json").write_text("{not json", encoding="utf-8")
    else:
        (entry / "customers.arrow").unlink()
    got = load_dataset(config, cache=True)
    assert len(loads) == 2
    _assert_same(load_dataset(config), got)
    (again,) = _entries()
    assert again == entry
    _assert_same(got, load_saved_dataset(entry, config))  # whole again


def test_the_second_writer_keeps_the_first_entry(client_yaml: Path) -> None:
    config = load_config(client_yaml)
    dataset = load_dataset(config)
    key = cache.dataset_key(config)
    folder = cache._client_folder(config)
    cache._store(dataset, folder, key, cache.max_bytes())
    (entry,) = _entries()
    first = (entry / "dataset.json").stat().st_ino
    cache._store(dataset, folder, key, cache.max_bytes())  # as a process that lost the race
    assert _entries() == [entry] and (entry / "dataset.json").stat().st_ino == first
    assert [p.name for p in folder.iterdir()] == [key]  # its temporary copy is gone


def _load_in_child(config_path: str) -> list[int]:
    """Load with the cache a few times, removing the entry every other time: entries come
    and go while the other processes read and write the same one."""
    config = load_config(config_path)
    entry = cache._client_folder(config) / cache.dataset_key(config)
    rows = []
    for i in range(8):
        rows.append(len(load_dataset(config, cache=True).transactions))
        time.sleep(0.05)
        if i % 2:
            cache._remove(entry)
    return rows


def test_concurrent_processes_all_succeed_and_readers_see_whole_entries(
    client_yaml: Path,
) -> None:
    config = load_config(client_yaml)
    entry = cache._client_folder(config) / cache.dataset_key(config)
    expected = load_dataset(config)
    seen: list[int] = []
    stop = threading.Event()

    def read_whenever_present() -> None:  # a whole entry, or none (never half of one)
        while not stop.is_set():
            got = cache._read_entry(entry, config)
            if got is not None:
                _assert_same(expected, got)
                seen.append(len(got.transactions))

    reader = threading.Thread(target=read_whenever_present)
    reader.start()
    try:
        context = multiprocessing.get_context("spawn")
        with context.Pool(3) as pool:
            results = pool.map(_load_in_child, [str(client_yaml)] * 3)
    finally:
        stop.set()
        reader.join()
    assert results == [[len(expected.transactions)] * 8] * 3
    assert seen, "the reader never found an entry: the test did not test"
    load_dataset(config, cache=True)
    assert _entries() == [entry]
    assert [p.name for p in entry.parent.iterdir()] == [entry.name]  # no temporary left


def test_the_size_limit_evicts_the_least_recently_used(
    tmp_path: Path, loads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    configs = [load_config(_write_client(tmp_path / name, slug=name)) for name in ("a", "b", "c")]
    load_dataset(configs[0], cache=True)
    (entry_a,) = _entries()
    size = sum(p.stat().st_size for p in entry_a.iterdir())
    monkeypatch.setenv("ICPC_CACHE_MAX_BYTES", str(int(size * 2.5)))  # room for two
    load_dataset(configs[1], cache=True)
    (entry_b,) = [e for e in _entries() if e != entry_a]
    os.utime(entry_a / "used", (1_000_000, 1_000_000))  # a: used long ago
    os.utime(entry_b / "used", (2_000_000, 2_000_000))
    load_dataset(configs[0], cache=True)  # a hit: a is now the most recently used
    assert loads == ["a", "b"]
    load_dataset(configs[2], cache=True)  # c: over the limit, b goes
    assert entry_b not in _entries() and entry_a in _entries() and len(_entries()) == 2
    load_dataset(configs[1], cache=True)
    assert loads == ["a", "b", "c", "b"]
    monkeypatch.setenv("ICPC_CACHE_MAX_BYTES", str(size // 2))  # one dataset is too big
    cache.clear()
    load_dataset(configs[0], cache=True)
    assert _entries() == []


def test_a_cache_that_cannot_be_written_warns_and_goes_on(
    client_yaml: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be", encoding="utf-8")
    monkeypatch.setenv("ICPC_CACHE_DIR", str(blocked))
    config = load_config(client_yaml)
    with caplog.at_level(logging.WARNING, logger="icpc.cleaning.cache"):
        got = load_dataset(config, cache=True)
    _assert_same(load_dataset(config), got)
    (record,) = caplog.records
    assert "could not be kept in the cache" in record.getMessage()


# ------------------------------------------------------------------ the frames' Arrow format
def test_arrow_frames_come_back_identical(tmp_path: Path, demo_config: Path) -> None:
    config = load_config(demo_config)
    dataset = load_dataset(config)
    folder = save_dataset(dataset, tmp_path / "dataset", frame_format="arrow")
    assert sorted(p.name for p in folder.iterdir()) == [
        "activity.arrow", "customers.arrow", "dataset.json", "transactions.arrow",
    ]  # fmt: skip
    _assert_same(dataset, load_saved_dataset(folder, config))
    save_dataset(dataset, folder)  # the other format over it: no stale file of the first
    assert sorted(p.suffix for p in folder.iterdir()) == [".json", *[".parquet"] * 3]
    with pytest.raises(ValueError, match="parquet or arrow"):
        save_dataset(dataset, folder, frame_format="csv")  # type: ignore[arg-type]


def test_fast_categoricals_equal_arrows_own_conversion(demo_config: Path) -> None:
    frame = load_dataset(load_config(demo_config)).transactions
    nulls = frame.assign(region=frame["region"].where(frame.index % 7 != 0))  # missing values
    table = pa.Table.from_pandas(nulls, preserve_index=True)
    chunked = pa.concat_tables([table.slice(0, 100), table.slice(100)])  # two chunks
    for t in (table, chunked):
        fast, own = dataset_mod._to_pandas(t), t.to_pandas()
        pd.testing.assert_frame_equal(fast, own, check_exact=True, check_categorical=True)
        assert list(fast.columns) == list(own.columns)
        for column in own.columns:
            if isinstance(own[column].dtype, pd.CategoricalDtype):
                assert fast[column].cat.categories.dtype == own[column].cat.categories.dtype


# ------------------------------------------------------------------ the commands
def test_cli_no_cache_and_cache_clear(
    client_yaml: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], loads: list[str]
) -> None:
    assert cli.main(["validate", str(client_yaml), "--json", "--no-cache"]) == 0
    assert _entries() == []
    assert cli.main(["validate", str(client_yaml), "--json"]) == 0
    assert cli.main(["validate", str(client_yaml), "--json"]) == 0
    assert len(loads) == 2 and len(_entries()) == 1
    other = _write_client(tmp_path / "other", slug="other")
    assert cli.main(["validate", str(other), "--json"]) == 0
    capsys.readouterr()
    assert cli.main(["cache", "info"]) == 0
    out = capsys.readouterr().out
    assert f"folder:  {cache.cache_dir()}" in out and "entries: 2 (" in out and "cache:   on" in out
    assert cli.main(["cache", "clear", str(other)]) == 0  # one client's
    assert capsys.readouterr().out.startswith("removed 1 entry (")
    assert len(_entries()) == 1
    assert cli.main(["cache", "clear"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("removed 1 entry (") and out.strip().endswith(str(cache.cache_dir()))
    assert _entries() == []
    assert cli.main(["cache", "clear"]) == 0
    assert capsys.readouterr().out.startswith("removed 0 entries (0 bytes)")


@pytest.mark.parametrize("command", ["validate", "kpis", "run", "batch"], ids=str)
def test_every_loading_command_has_no_cache(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main([command, "--help"]) == 0
    assert "--no-cache" in capsys.readouterr().out


def test_kpis_hits_the_entry_validate_left(client_yaml: Path, loads: list[str]) -> None:
    assert cli.main(["validate", str(client_yaml), "--json"]) == 0
    assert cli.main(["kpis", str(client_yaml), "--json"]) == 0
    assert loads == ["alpha"]
    assert cli.main(["kpis", str(client_yaml), "--json", "--no-cache"]) == 0
    assert loads == ["alpha", "alpha"]


def test_the_notebooks_load_from_the_cache(client_yaml: Path, loads: list[str]) -> None:
    from icpc.report.sections.common import load_diagnostic

    assert cli.main(["validate", str(client_yaml), "--json"]) == 0
    diag = load_diagnostic(client_yaml, language="en")
    assert loads == ["alpha"] and diag.config.language == "en"
    load_diagnostic(client_yaml, cache=False)
    assert loads == ["alpha", "alpha"]
