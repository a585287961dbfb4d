"""Score3D segment rules as data (segments.yaml): read and checked when the config is read.

Rules are ranges of R/F (and optionally M) scores, first match wins, with French and
English labels, a description and a recommended action; see :func:`segment_rules`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from icpc.exceptions import ConfigError

__all__ = ["N_SCORES", "SegmentRule", "segment_rules", "default_segment_rules"]


N_SCORES = 5


@dataclass(frozen=True)
class SegmentRule:
    """One Score3D segment: score ranges (both ends included) and its texts.

    ``label``, ``description`` and ``action`` map a language (``fr``, ``en``) to text.
    """

    name: str
    r: tuple[int, int] = (1, N_SCORES)
    f: tuple[int, int] = (1, N_SCORES)
    m: tuple[int, int] = (1, N_SCORES)
    label: Mapping[str, str] | None = None
    description: Mapping[str, str] | None = None
    action: Mapping[str, str] | None = None

    def text(self, what: str, language: str = "fr") -> str:
        """The ``label``/``description``/``action`` in ``language`` (the label defaults to the name)."""
        texts = getattr(self, what) or {}
        default = self.name if what == "label" else ""
        return str(texts.get(language) or texts.get("en") or texts.get("fr") or default)


_RULE_KEYS = {"name", "r", "f", "m", "label", "description", "action"}


def _rule_range(value: Any, where: str) -> tuple[int, int]:
    if value is None:
        return (1, N_SCORES)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = [value, value]
    ok = (
        isinstance(value, (list, tuple))
        and len(value) == 2
        and all(
            isinstance(x, (int, float)) and not isinstance(x, bool) and int(x) == x for x in value
        )
    )
    if not ok or not 1 <= value[0] <= value[1] <= N_SCORES:
        raise ConfigError(
            f"{where} must be a score 1-{N_SCORES} or a range [low, high] with 1 <= low <= high <= {N_SCORES}, "
            f"found {value!r}"
        )
    return (int(value[0]), int(value[1]))


def _rule_texts(value: Any, where: str) -> Mapping[str, str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return {"fr": value, "en": value}
    if isinstance(value, Mapping) and all(isinstance(v, str) for v in value.values()):
        unknown = set(value) - {"fr", "en"}
        if unknown:
            raise ConfigError(f"{where} has unknown language(s) {sorted(unknown)}; use fr and en")
        return {str(k): v for k, v in value.items()}
    raise ConfigError(f"{where} must be a text or {{fr: ..., en: ...}}, found {value!r}")


def segment_rules(
    raw: Sequence[Mapping[str, Any]] | None = None, *, source: str | Path | None = None
) -> tuple[SegmentRule, ...]:
    """Validate segment rules (the ``segments:`` list of client.yaml), or return the defaults.

    Parameters
    ----------
    raw : list of mappings, optional
        Rules with keys ``name`` (required, unique), ``r``, ``f``, ``m`` (a score or a
        ``[low, high]`` range; missing = any), ``label``, ``description``, ``action``
        (text or ``{fr:, en:}``). None gives the default rules of ``segments.yaml``.
    source : path, optional
        The file the rules come from, for messages.

    Returns
    -------
    tuple of SegmentRule
        In order; the first matching rule wins.

    Raises
    ------
    ConfigError
        On an unknown key, a missing or repeated name, a bad range, or rules that leave
        some (r, f, m) scores without a segment.
    """
    if raw is None:
        return default_segment_rules()
    where = Path(source).name if source is not None else "config"
    if isinstance(raw, (str, bytes)) or not isinstance(raw, Sequence) or not raw:
        raise ConfigError(
            f'{where}: "segments" must be a non-empty list of rules (name, r, f), found {raw!r}'
        )
    rules: list[SegmentRule] = []
    for i, item in enumerate(raw, start=1):
        at = f'{where}: "segments" rule {i}'
        if not isinstance(item, Mapping):
            raise ConfigError(f"{at} must be a mapping (name, r, f, label, action), found {item!r}")
        unknown = set(item) - _RULE_KEYS
        if unknown:
            raise ConfigError(
                f"{at} has unknown key(s) {sorted(map(str, unknown))}; valid keys are {sorted(_RULE_KEYS)}"
            )
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f'{at} has no "name"; give each segment a name')
        name = name.strip()
        if any(r.name == name for r in rules):
            raise ConfigError(
                f'{at}: the name "{name}" is used twice; segment names must be unique'
            )
        at = f'{where}: "segments" rule "{name}"'
        rules.append(
            SegmentRule(
                name=name,
                r=_rule_range(item.get("r"), f"{at} r"),
                f=_rule_range(item.get("f"), f"{at} f"),
                m=_rule_range(item.get("m"), f"{at} m"),
                label=_rule_texts(item.get("label"), f"{at} label"),
                description=_rule_texts(item.get("description"), f"{at} description"),
                action=_rule_texts(item.get("action"), f"{at} action"),
            )
        )
    grid = np.array(list(itertools.product(range(1, N_SCORES + 1), repeat=3)))
    seg = _match(grid[:, 0], grid[:, 1], grid[:, 2], tuple(rules))
    missing = grid[seg < 0]
    if len(missing):
        shown = ", ".join(f"(r={a}, f={b}, m={c})" for a, b, c in missing[:5])
        raise ConfigError(
            f'{where}: "segments" leave {len(missing)} score combination(s) without a segment, e.g. {shown}; '
            "add a last rule without r/f/m ranges to catch every remaining customer"
        )
    return tuple(rules)


@cache
def default_segment_rules() -> tuple[SegmentRule, ...]:
    """The default Score3D rules (``icpc/segments.yaml``): the 11 usual segments."""
    text = resources.files("icpc").joinpath("segments.yaml").read_text(encoding="utf-8")
    return segment_rules(yaml.safe_load(text), source="segments.yaml")


def _match(
    r: np.ndarray, f: np.ndarray, m: np.ndarray, rules: tuple[SegmentRule, ...]
) -> np.ndarray:
    """Index of the first matching rule per customer (-1 when none matches)."""
    out = np.full(len(r), -1, dtype=np.int64)
    for i, rule in enumerate(rules):  # a loop over the rules, not over customers
        hit = (
            (out < 0)
            & (r >= rule.r[0]) & (r <= rule.r[1])
            & (f >= rule.f[0]) & (f <= rule.f[1])
            & (m >= rule.m[0]) & (m <= rule.m[1])
        )  # fmt: skip
        out[hit] = i
    return out
