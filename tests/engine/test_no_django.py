"""The engine is pure Python: the console, the API and the benchmarks share it, and
it must not pull Django (or its settings) in."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import policies.engine

ENGINE_DIR = Path(policies.engine.__file__).parent


def _modules() -> list[Path]:
    return sorted(ENGINE_DIR.glob("*.py"))


def test_every_engine_module_imports():
    for info in pkgutil.iter_modules([str(ENGINE_DIR)]):
        importlib.import_module(f"policies.engine.{info.name}")


def test_no_engine_module_imports_django():
    offenders = []
    for path in _modules():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__":
                names = [
                    a.value
                    for a in node.args
                    if isinstance(a, ast.Constant) and isinstance(a.value, str)
                ]
            offenders += [
                f"{path.name}: {n}" for n in names if n == "django" or n.startswith("django.")
            ]
    assert offenders == []
    assert len(_modules()) >= 10


def test_importing_the_engine_loads_neither_django_nor_botocore():
    code = (
        "import sys, policies.engine; " "print('django' in sys.modules, 'botocore' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ENGINE_DIR.parent.parent,
        check=True,
    )
    assert out.stdout.split() == ["False", "False"]


def test_no_assert_statements_in_engine_code():
    # assert vanishes under python -O, so it must never guard input.
    for path in _modules():
        tree = ast.parse(path.read_text())
        assert not any(isinstance(n, ast.Assert) for n in ast.walk(tree)), path.name
