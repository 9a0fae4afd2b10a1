"""Layout statistics of the grokbench package: modules, lines, import cycles and depth.

Written by hand (a few lines of ``ast``) rather than taking pydeps/import-linter as a
dependency: we only need the intra-package graph, counted the same way before and after
a restructuring. ``python benchmarks/layout.py [PACKAGE_DIR]``.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, name: str, known: set[str], top_only: bool) -> set[str]:
    """The package modules ``path`` imports (``top_only``: at module level only)."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):  # annotations only: not an import at run time
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            node.body = []
    nodes = tree.body if top_only else list(ast.walk(tree))
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in nodes:
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in graph:
        if node not in index:
            visit(node)
    return found


def depth(graph: dict[str, set[str]]) -> int:
    """Longest import chain (in modules) of the graph with its cycles collapsed."""
    memo: dict[str, int] = {}

    def longest(node: str, seen: frozenset[str]) -> int:
        if node in memo:
            return memo[node]
        best = 1 + max((longest(n, seen | {node}) for n in graph[node] if n not in seen), default=0)
        memo[node] = best
        return best

    return max(longest(node, frozenset()) for node in graph)


#: The layers, bottom first: a module may import its own layer and those below it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("grokbench.spec",),
    ("grokbench.infra",),
    ("grokbench.engine",),
    ("grokbench.baselines",),
    ("grokbench.scaleout",),
    ("grokbench.claims",),
    ("grokbench.papers",),
    ("grokbench.commands", "grokbench.cli", "grokbench.pytest_plugin", "grokbench.__main__"),
)


def layer_of(module: str) -> int | None:
    for level, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return level
    return None  # the package root (grokbench/__init__.py)


def upward(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Imports that point up the layers (papers are found by name, never imported below)."""
    found = []
    for module, targets in graph.items():
        for target in targets:
            low, high = layer_of(module), layer_of(target)
            if low is not None and high is not None and high > low:
                found.append((module, target))
    return sorted(found)


def graphs(root: Path) -> tuple[dict[str, Path], dict[bool, dict[str, set[str]]]]:
    files = {module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    known = set(files)
    return files, {
        top: {name: imports_of(path, name, known, top) for name, path in files.items()}
        for top in (True, False)
    }


def main(root: Path) -> None:
    files, by_scope = graphs(root)
    lines = sum(len(p.read_text().splitlines()) for p in files.values())
    empty = sum(1 for p in files.values() if not p.read_text().strip())
    print(f"modules: {len(files)} ({empty} empty __init__)  lines: {lines}")
    for top_only, graph in by_scope.items():
        label = "module-level imports" if top_only else "all imports (also inside functions)"
        found = cycles(graph)
        print(f"{label}: cycles {len(found)}, import depth {depth(graph)}")
        for component in found:
            print("  cycle:", " ↔ ".join(component))
        for module, target in upward(graph):
            print(f"  upward: {module} -> {target}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "grokbench").resolve())
