"""Every event append in consult/, found by reading the source (no import): the types each may write, and the
payload keys it names when it names them all, for tests/events/test_catalogue.py."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from consult.paths import ROOT

#: The writers of the event log: the position of their `type` argument, and their payload's (keyword-only).
WRITERS: dict[str, tuple[int, int | None, str]] = {
    "append_event": (2, None, "payload"), "carried_event": (1, None, "payload"), "next_event": (1, None, "payload")}


@dataclass(frozen=True)
class Append:
    """One call that appends an event: where it is, the types it may write, the payload keys it names."""

    where: str
    types: frozenset[str]
    payload_keys: frozenset[str] | None  # None: not a literal dict with every key named


def _modules() -> dict[str, ast.Module]:
    paths = sorted((ROOT / "consult").rglob("*.py"))
    return {str(path.relative_to(ROOT)): ast.parse(path.read_text(), str(path)) for path in paths}


def _module_name(path: str) -> str:
    return path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def _constants(tree: ast.Module) -> dict[str, ast.expr]:
    """A module's top-level names bound to an expression (tuple assignments unpacked)."""
    found: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value
                elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                    found.update({a.id: b for a, b in zip(target.elts, node.value.elts) if isinstance(a, ast.Name)})
    return found


def _imports(tree: ast.Module) -> dict[str, tuple[str, str]]:
    return {alias.asname or alias.name: (node.module, alias.name) for node in tree.body
            if isinstance(node, ast.ImportFrom) and node.module for alias in node.names}


class _Resolver:
    def __init__(self, modules: dict[str, ast.Module]) -> None:
        self.constants = {_module_name(p): _constants(t) for p, t in modules.items()}
        self.imports = {_module_name(p): _imports(t) for p, t in modules.items()}

    def strings(self, module: str, node: ast.expr, local: dict[str, list[ast.expr]]) -> set[str]:
        """The strings an expression may be: a literal, a constant (here or imported), a local variable's
        values, a dict's values when subscripted, either branch of a conditional."""
        if isinstance(node, ast.Constant):
            return {node.value} if isinstance(node.value, str) else set()
        if isinstance(node, ast.IfExp):
            return self.strings(module, node.body, local) | self.strings(module, node.orelse, local)
        if isinstance(node, ast.Subscript):
            return self.strings(module, node.value, local)
        if isinstance(node, ast.Dict):
            return set().union(*(self.strings(module, v, local) for v in node.values))
        if isinstance(node, ast.Name):
            if node.id in local:
                return set().union(*(self.strings(module, v, local) for v in local[node.id]))
            if node.id in self.constants.get(module, {}):
                return self.strings(module, self.constants[module][node.id], {})
            if node.id in self.imports.get(module, {}):
                source, name = self.imports[module][node.id]
                return self.strings(source, ast.Name(name), {})
        raise ValueError(f"{module}: cannot tell which event type {ast.unparse(node)} is")


def _locals(function: ast.FunctionDef) -> dict[str, list[ast.expr]]:
    values: dict[str, list[ast.expr]] = {}
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    values.setdefault(target.id, []).append(node.value)
    return values


def _parameters(function: ast.FunctionDef) -> list[str]:
    names = [a.arg for a in function.args.posonlyargs + function.args.args]
    return names[1:] if names and names[0] in ("self", "cls") else names


def _calls(modules: dict[str, ast.Module]):
    """(path, enclosing function, call) for every call in consult/."""
    for path, tree in modules.items():
        for function in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]:
            for node in ast.walk(function):
                if isinstance(node, ast.Call):
                    yield path, function, node


def _called(call: ast.Call) -> str | None:
    return call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", None)


def _argument(call: ast.Call, position: int | None, name: str) -> ast.expr | None:
    if position is not None and len(call.args) > position \
            and not any(isinstance(a, ast.Starred) for a in call.args[:position + 1]):
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == name), None)


def _keys(payload: ast.expr | None, local: dict[str, list[ast.expr]], module: ast.Module) -> frozenset[str] | None:
    """The keys of a payload the source names in full: a dict literal, a local variable bound once to one, and
    what it unpacks (`**payload` of such a variable, `**facts(...)` of a function of the module returning one)."""
    if isinstance(payload, ast.Name) and len(local.get(payload.id, [])) == 1:
        return _keys(local[payload.id][0], local, module)
    if isinstance(payload, ast.Call) and isinstance(payload.func, ast.Name):
        function = next((node for node in module.body if isinstance(node, ast.FunctionDef)
                         and node.name == payload.func.id), None)
        returned = function.body[-1] if function is not None else None
        return _keys(returned.value, {}, module) if isinstance(returned, ast.Return) else None
    if not isinstance(payload, ast.Dict):
        return None
    keys: set[str] = set()
    for key, value in zip(payload.keys, payload.values, strict=True):
        if key is None:  # **something
            unpacked = _keys(value, local, module)
            if unpacked is None:
                return None
            keys |= unpacked
        elif isinstance(key, ast.Constant):
            keys.add(key.value)
        else:
            return None
    return frozenset(keys)


def appends() -> list[Append]:
    """Every call in consult/ that appends an event, with the types it may write.

    A writer whose type is its own parameter (`_timeline_event(session, round, type, ...)`) is followed to its
    callers, as many levels as there are."""
    modules = _modules()
    resolver = _Resolver(modules)
    writers = dict(WRITERS)
    calls = list(_calls(modules))
    found: dict[tuple, Append] = {}
    changed = True
    while changed:
        changed = False
        for path, function, call in calls:
            called = _called(call)
            if called not in writers:
                continue
            position, payload_position, payload_name = writers[called]
            node = _argument(call, position, "type")
            if node is None:
                raise ValueError(f"{path}:{call.lineno}: {called} called without its event type")
            parameters, local = _parameters(function), _locals(function)
            payload = _argument(call, payload_position, payload_name)
            if isinstance(node, ast.Name) and node.id in parameters and node.id not in local:
                if function.name not in writers:  # a writer of its own: its callers name the type
                    passed = payload.id if isinstance(payload, ast.Name) and payload.id in parameters else None
                    writers[function.name] = (parameters.index(node.id),
                                              parameters.index(passed) if passed else None, passed or "")
                    changed = True
                continue
            keys = _keys(payload, local, modules[path])
            where = f"{path}:{call.lineno}"
            found[where] = Append(where, frozenset(resolver.strings(_module_name(path), node, local)), keys)
    return list(found.values())
