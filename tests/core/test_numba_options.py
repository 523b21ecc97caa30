"""Numba compiler options are chosen in one place: onlinelearn/core/numba_options.py."""

import re
from pathlib import Path

import onlinelearn.core.numba_options as numba_options

ROOT = Path(__file__).resolve().parents[2]
#: A use of njit/jit and what follows: an opening parenthesis, ``**`` and a name (or a ``{name}``
#: placeholder of a source template, filled with one of the option sets' names).
JIT_CALL = re.compile(r"\b(?:numba\.)?n?jit\b(\(?)\s*(\*\*)?\s*(\{\w+\}|\w*)")


def option_sets() -> set[str]:
    return {name for name, value in vars(numba_options).items() if name.isupper() and isinstance(value, dict)}


def offending_calls(text: str) -> list[str]:
    """Uses of ``njit``/``jit`` that do not take one of numba_options' option sets."""
    names = option_sets()
    found = []
    for match in JIT_CALL.finditer(text):
        line = text[: match.start()].count("\n") + 1
        context = text[text.rfind("\n", 0, match.start()) + 1 : text.find("\n", match.start())]
        if context.lstrip().startswith(("from ", "import ", "#")):
            continue
        parenthesis, unpack, name = match.groups()
        if not (parenthesis and unpack and (name in names or name.startswith("{"))):
            found.append(f"line {line}: {context.strip()}")
    return found


def test_only_numba_options_chooses_compiler_options():
    offenders = {}
    for folder in ("onlinelearn", "environments"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "numba_options.py":
                continue
            calls = offending_calls(path.read_text())
            if calls:
                offenders[str(path.relative_to(ROOT))] = calls
    assert not offenders, f"pass an option set of onlinelearn.core.numba_options instead: {offenders}"


def test_the_scan_finds_options_spelled_out():
    assert offending_calls("@njit(cache=True)\ndef f(x):\n    return x\n")
    assert offending_calls("@njit\ndef f(x):\n    return x\n")
    assert offending_calls('g = numba.njit(inline="always")(f)\n')
    assert offending_calls("g = njit(**MY_OPTIONS)(f)\n")
    assert not offending_calls("from numba import njit\n@njit(**KERNEL_OPTIONS)\ndef f(x):\n    return x\n")
