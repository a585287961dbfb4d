"""Read ``client.yaml`` safely: bounded size and aliases, one mapping, ids kept as written.

A client config is a few kilobytes of keys and values typed by hand. Three YAML traps
are closed here, before :mod:`icpc.config` validates the values:

* **size and shape**: a file over :data:`MAX_BYTES` is refused before it is read, and a
  document that is not a mapping (a list, a bare value) after its first event;
* **aliases** (``*name``): each one repeats a whole node, so nested ones ("billion
  laughs") expand exponentially; more than :data:`MAX_ALIASES` alias events, or aliases
  adding more than :data:`MAX_EXPANDED_NODES` nodes once expanded, are refused while the
  file is composed, in milliseconds;
* **ids read as numbers**: YAML 1.1 reads ``00042`` as the octal number 34, ``0x1F`` as
  31, ``1_000`` as 1000, ``NO`` as false. At the keys that hold ids and codes (given by
  the caller as key paths), a plain scalar is accepted only when it is text or a whole
  number written exactly as Python prints it (``42``); anything else is refused with the
  quoted value to write. The check runs on the composed nodes, whose ``value`` is the
  text as written.

A key given twice in one mapping is refused too (YAML keeps the last one silently).

Dates stay text (no timestamp resolver), so that :mod:`icpc.config` gives its own message
for an impossible date.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from icpc.exceptions import ConfigError, shorten

__all__ = ["MAX_BYTES", "MAX_ALIASES", "MAX_EXPANDED_NODES", "read_yaml"]

#: largest config file read (bytes); a client.yaml is a few kilobytes
MAX_BYTES = 1_000_000
#: most alias events (``*name``) in one config
MAX_ALIASES = 50
#: most nodes the aliases may add once expanded
MAX_EXPANDED_NODES = 100_000

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"


class _TooManyAliases(Exception):
    """Raised by the composer on the alias event past :data:`MAX_ALIASES`."""


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text and counts alias events while composing."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.alias_events = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        """Compose one node, refusing the alias event past :data:`MAX_ALIASES`."""
        if self.check_event(yaml.AliasEvent):
            self.alias_events += 1
            if self.alias_events > MAX_ALIASES:
                raise _TooManyAliases
        return super().compose_node(parent, index)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _decode(raw: bytes) -> str:
    """The config's text: UTF-8 (with or without BOM), UTF-16 (Notepad's "Unicode"), UTF-32
    with its BOM, else Windows-1252."""
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        try:
            return raw.decode("utf-32")
        except UnicodeDecodeError:
            pass
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def read_yaml(path: Path, *, text_keys: Sequence[tuple[str, ...]] = ()) -> Any:
    """Read a client config file into Python values, refusing the YAML traps above.

    Parameters
    ----------
    path : Path
        An existing file.
    text_keys : sequence of key paths
        Where ids and codes live, e.g. ``("exclude", "customers")`` or
        ``("exclude", "where", "*")`` (``*``: any key). The value there, or each item of
        it when it is a list, must be written as text (see the module docstring).

    Returns
    -------
    Any
        The document: a mapping, or None when the file holds no value.

    Raises
    ------
    ConfigError
        File too large, not YAML, not a mapping, too many aliases, a key given twice, or
        an id that YAML reads as a number, a yes/no value or null.
    """
    name = path.name
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ConfigError(
            f"{name}: {size / 1e6:.1f} MB is far too large for a client config (at most "
            f"{MAX_BYTES / 1e6:.0f} MB; a client.yaml is a few kilobytes); check that the path names the "
            "YAML config, not a data export"
        )
    raw = path.read_bytes()
    text = _decode(raw)
    bad = next(
        (
            ch
            for ch in text
            if (ord(ch) < 32 and ch not in "\t\n\r") or ord(ch) in (0x7F, 0xFFFE, 0xFFFF)
        ),
        None,
    )
    if bad is not None:
        line = text[: text.index(bad)].count("\n") + 1
        raise ConfigError(
            f"{name}: a control character (U+{ord(bad):04X}) on line {line}, which YAML does not allow; "
            "save the file again as plain text (UTF-8) and remove it"
        )
    try:
        loader = _Loader(text)
    except yaml.YAMLError as exc:
        raise ConfigError(
            f"{name}: not valid YAML ({shorten(str(exc).splitlines()[0])}); save it as UTF-8 text"
        ) from None
    try:
        node = _single_node(loader, name)
        if node is None:
            return None
        _check_expansion(node, name)
        _check_duplicate_keys(node, name)
        for key_path in text_keys:
            for shown, scalar, in_list in _scalars_at(node, key_path, ()):
                _check_text(loader, scalar, shown, name, in_list=in_list)
        return loader.construct_document(node)
    except RecursionError:
        raise ConfigError(
            f"{name}: lists or mappings nested too deeply; a client config has a few levels"
        ) from None
    except _TooManyAliases:
        raise ConfigError(
            f"{name}: too many YAML aliases (*name references): more than {MAX_ALIASES}; "
            "a client config needs none — write the values out"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = shorten(getattr(exc, "problem", None) or "invalid YAML")
        raise ConfigError(
            f"{name}: not valid YAML{where} ({problem}); check indentation and quotes"
        ) from None
    finally:
        loader.dispose()


def _single_node(loader: _Loader, name: str) -> Node | None:
    """The root node of the one document of the stream; a non-mapping is refused first."""
    loader.get_event()  # stream start
    if loader.check_event(yaml.StreamEndEvent):
        return None
    first = loader.peek_event()  # document start
    if isinstance(first, yaml.DocumentStartEvent):
        loader.get_event()
        first = loader.peek_event()
    if (
        isinstance(first, yaml.ScalarEvent)
        and first.style is None
        and first.value in ("", "~", "null", "Null", "NULL")
    ):
        return None
    if not isinstance(first, yaml.MappingStartEvent):
        if isinstance(first, yaml.SequenceStartEvent):
            found = "a list"
        elif isinstance(first, yaml.ScalarEvent):
            found = f"the value {shorten(first.value)!r}"
        else:
            found = "an alias"
        raise ConfigError(
            f"{name}: the config must be a mapping of keys (client:, transactions:, ...), found {found}; "
            "start from data_samples/demo/client.yaml"
        )
    node = loader.compose_node(None, None)
    loader.get_event()  # document end
    if not loader.check_event(yaml.StreamEndEvent):
        raise ConfigError(
            f"{name}: more than one YAML document (a line '---' or '...' inside the file); "
            "a client config is one document — remove the separator"
        )
    return node


def _check_expansion(root: Node, name: str) -> None:
    """Refuse aliases that would add more than :data:`MAX_EXPANDED_NODES` nodes (or a loop)."""
    sizes: dict[int, int] = {}
    distinct: set[int] = set()
    open_nodes: set[int] = set()

    def expanded(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise ConfigError(
                f"{name}: a YAML alias (*name) refers to the list or mapping it is in; write the values out"
            )
        distinct.add(key)
        total = 1
        if isinstance(node, (SequenceNode, MappingNode)):
            open_nodes.add(key)
            children = (
                node.value
                if isinstance(node, SequenceNode)
                else [n for pair in node.value for n in pair]
            )
            total += sum(expanded(child) for child in children)
            open_nodes.discard(key)
        sizes[key] = total
        return total

    total = expanded(root)
    added = total - len(distinct)
    if added > MAX_EXPANDED_NODES:
        raise ConfigError(
            f"{name}: too many YAML aliases (*name references): they repeat more than "
            f"{MAX_EXPANDED_NODES} values; a client config needs none — write the values out"
        )


def _key_text(node: Node) -> str | None:
    return node.value if isinstance(node, ScalarNode) else None


def _pairs(node: MappingNode) -> Iterator[tuple[Node, Node]]:
    """The key/value nodes of a mapping, those merged in by ``<<: *name`` included."""
    for key, value in node.value:
        if key.tag == _MERGE:
            merged = value.value if isinstance(value, SequenceNode) else [value]
            for sub in merged:
                if isinstance(sub, MappingNode):
                    yield from _pairs(sub)
        else:
            yield key, value


def _check_duplicate_keys(root: Node, name: str) -> None:
    """Refuse a key written twice in one mapping (YAML would keep the last silently)."""
    seen_nodes: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, MappingNode):
            lines: dict[str, int] = {}
            for key, value in node.value:
                text = _key_text(key)
                if text is not None and key.tag != _MERGE:
                    line = key.start_mark.line + 1
                    if text in lines:
                        raise ConfigError(
                            f"{name}: key {shorten(text)!r} is given twice in one block (lines {lines[text]} "
                            f"and {line}); YAML would keep only the last — keep one"
                        )
                    lines[text] = line
                stack.append(value)


def _scalars_at(
    node: Node, key_path: tuple[str, ...], shown: tuple[str, ...]
) -> Iterator[tuple[str, ScalarNode, bool]]:
    """The scalar nodes at ``key_path`` under ``node`` (or a list's items there), with
    their dotted key and whether they are list items."""
    if not key_path:
        in_list = isinstance(node, SequenceNode)
        for item in node.value if in_list else [node]:
            if isinstance(item, ScalarNode):
                yield ".".join(shown), item, in_list
        return
    if not isinstance(node, MappingNode):
        return
    head, rest = key_path[0], key_path[1:]
    for key, value in _pairs(node):
        text = _key_text(key)
        if text is not None and (head == "*" or text == head):
            yield from _scalars_at(value, rest, (*shown, shorten(text, 40)))


def _check_text(loader: _Loader, node: ScalarNode, key: str, name: str, *, in_list: bool) -> None:
    """Refuse an id, code or header that YAML reads as something else than its text."""
    if node.style is not None or node.tag not in (_INT, _FLOAT, _BOOL):
        return  # quoted, block text, or plain text (null is for the config to judge)
    written = node.value
    if key in ("exclude.customers", "exclude.where.customer_id"):
        what = "the id"
    elif ".columns." in key:
        what = "the header"
    else:
        what = "the code"
    if node.tag == _INT:
        number = int(loader.construct_yaml_int(node))
        if str(number) == written:
            return  # 42 is "42"
        read = f"the number {number}"
    elif node.tag == _FLOAT:
        read = f"the number {loader.construct_yaml_float(node)!r}"
    else:
        read = "true" if loader.construct_yaml_bool(node) else "false"
    shown = shorten(written)
    quoted = f'["{shown}"]' if in_list else f'"{shown}"'
    raise ConfigError(
        f'{name}: {key}: {shown} is read by YAML as {read}, not {what} "{shown}"; quote it: {quoted}'
    )
