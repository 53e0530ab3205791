"""The parts' import rules (docs: gan_engine imports no Django; the catalogue imports neither the
pipeline nor the engine; the researchers' client in client/ imports no server code), read from
the source: every import statement, at module level or in a function, and the catalogue
templates' {% load %}, {% include %} and {% extends %}."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "gan_engine": {"django", "rest_framework", "celery", "datasets", "generation", "portal"},
    "datasets": {"generation", "gan_engine"},
    # The researchers' client is its own distribution: HTTP only, no server code. (It may
    # import `datasets`: in abid.hf that is Hugging Face's package.)
    "client": {"django", "rest_framework", "celery", "portal", "generation", "gan_engine"},
}
TEMPLATE_TAG = re.compile(r"{%\s*(load|include|extends)\s+([^%]*)%}")
GENERATION_TAG_LIBRARIES = {path.stem for path in (ROOT / "generation/templatetags").glob("*.py")}


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


# The site's modules that every part may import: scaffolding that imports no part, so that the
# catalogue using them never leads back into the site's URLs and settings, or into the pipeline.
SHARED = (
    "portal/api/links.py",
    "portal/api/pagination.py",
    "portal/management/owners.py",
    "portal/storage.py",
    "portal/log_context.py",
)


@pytest.mark.parametrize("path", SHARED)
def test_shared_scaffolding_imports_no_part(path):
    parts = {"datasets", "generation", "gan_engine", "portal"}
    assert [m for m in imported_modules(ROOT / path) if m.split(".")[0] in parts] == []


def test_the_catalogue_imports_of_the_site_only_its_shared_scaffolding():
    shared = {path.removesuffix(".py").replace("/", ".") for path in SHARED}
    offences = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in sorted((ROOT / "datasets").rglob("*.py"))
        for module in sorted(imported_modules(path))
        if module.split(".")[0] == "portal" and module not in shared
    ]
    assert offences == []


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_a_part_imports_only_what_it_may(part):
    offences = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in sorted((ROOT / part).rglob("*.py"))
        for module in sorted(imported_modules(path))
        if module.split(".")[0] in FORBIDDEN[part]
    ]
    assert offences == []


def test_catalogue_templates_load_and_include_nothing_of_the_pipeline():
    offences = []
    for path in sorted((ROOT / "templates/datasets").rglob("*.html")):
        for tag, arguments in TEMPLATE_TAG.findall(path.read_text()):
            words = arguments.replace('"', " ").replace("'", " ").split()
            if tag == "load" and GENERATION_TAG_LIBRARIES & set(words):
                offences.append(f"{path.relative_to(ROOT)} loads {arguments.strip()}")
            if tag != "load" and any(word.startswith("generation/") for word in words):
                offences.append(f"{path.relative_to(ROOT)} {tag}s {arguments.strip()}")
    assert offences == []


# No import cycle between the project's modules, counting imports inside functions: a cycle is
# a knot a reader cannot start from, and a function-level import only hides one. The pipeline's
# steps follow one another through generation.signals, not by importing back up.
PARTS = ("portal", "datasets", "generation", "gan_engine")


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path) -> dict[str, set[str]]:
    """Each first-party module (migrations aside) and the first-party modules it imports; `from
    package import name` counts as importing the submodule `package.name` when there is one."""
    paths = {
        module_name(path, root): path
        for part in PARTS
        for path in (root / part).rglob("*.py")
        if "migrations" not in path.parts
    }

    def known(name: str) -> str | None:
        while name and name not in paths:
            name = name.rpartition(".")[0]
        return name or None

    graph = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                targets.update(known(alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    kept = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*kept, base] if base else kept)
                targets.update(
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in paths else known(base)
                    for alias in node.names
                )
        graph[name] = targets - {None, name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index, low, stack, found = {}, {}, [], []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while not component or component[-1] != node:
                component.append(stack.pop())
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_back_through_others():
    assert cycles(import_graph(ROOT)) == []


def test_the_cycle_check_finds_a_function_level_import_back(tmp_path):
    for part in PARTS:
        (tmp_path / part).mkdir()
        (tmp_path / part / "__init__.py").write_text("")
    (tmp_path / "generation/services.py").write_text("from generation import tasks\n")
    (tmp_path / "generation/tasks.py").write_text("from generation.workflows import training\n")
    (tmp_path / "generation/workflows").mkdir()
    (tmp_path / "generation/workflows/__init__.py").write_text("")
    (tmp_path / "generation/workflows/training.py").write_text(
        "def run():\n    from generation import services\n"
    )
    assert cycles(import_graph(tmp_path)) == [
        ["generation.services", "generation.tasks", "generation.workflows.training"]
    ]


# The catalogue owns its rows: outside `datasets/`, production code writes a catalogue row
# (a class of datasets.models) only by calling datasets.services. The check reads the source and
# flags the ways Django writes a row: `Model(...)`, `Model.objects...<write>()`, a write through a
# catalogue relation (`version.images.create`, `dataset.collaborators.add`), and `.save()` /
# `.delete()` on an instance that is a catalogue row by its name or by where it came from.
CATALOGUE_MODELS = {
    node.name
    for node in ast.parse((ROOT / "datasets/models.py").read_text()).body
    if isinstance(node, ast.ClassDef)
}
QUERY_WRITES = {
    "create",
    "get_or_create",
    "update_or_create",
    "bulk_create",
    "bulk_update",
    "update",
    "delete",
}
RELATION_WRITES = QUERY_WRITES | {"add", "remove", "set", "clear"}
INSTANCE_WRITES = {"save", "delete"}
# The parts that serve users. Tests and bench/ seed throwaway databases (bench/api.py bulk-creates
# 20,000 image rows) and may write rows directly; they are not doors.
PRODUCTION_PARTS = ("generation", "portal", "gan_engine")


def _relation_names(source: str) -> set[str]:
    """The attribute names through which one reaches catalogue rows from any model instance:
    related names declared in the catalogue, and fields of other apps' models pointing into it."""
    names = set()
    for call in ast.walk(ast.parse(source)):
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
            continue
        if call.func.attr not in {"ForeignKey", "OneToOneField", "ManyToManyField"}:
            continue
        names.update(
            keyword.value.value
            for keyword in call.keywords
            if keyword.arg == "related_name"
            and isinstance(keyword.value, ast.Constant)
            and keyword.value.value != "+"
        )
    return names


def _model_fields_into_catalogue(source: str, models: set[str]) -> set[str]:
    fields = set()
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
            continue
        call = node.value
        target = call.args[0] if call.args else None
        points_in = (isinstance(target, ast.Name) and target.id in models) or (
            isinstance(target, ast.Constant) and str(target.value).startswith("datasets.")
        )
        if points_in:
            fields.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return fields


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


CATALOGUE_SOURCE = (ROOT / "datasets/models.py").read_text()
CATALOGUE_RELATIONS = _relation_names(CATALOGUE_SOURCE) | {
    "collaborators",
    "creators",
}
CATALOGUE_ROW_NAMES = (
    {_snake(model) for model in CATALOGUE_MODELS}
    | {"dataset", "version", "label"}
    | {
        field
        for path in ROOT.glob("*/models.py")
        if path.parent.name != "datasets"
        for field in _model_fields_into_catalogue(path.read_text(), CATALOGUE_MODELS)
    }
)


def _root_name(node: ast.expr) -> str | None:
    """Where a chain of attributes and calls starts: `Dataset` in `Dataset.objects.all()`."""
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _chain_attributes(node: ast.expr) -> list[str]:
    names = []
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        if isinstance(node, ast.Attribute):
            names.append(node.attr)
        node = node.func if isinstance(node, ast.Call) else node.value
    return names


def catalogue_writes(source: str, filename: str = "<source>") -> list[str]:
    """Each line of `source` that writes a catalogue row without datasets.services."""
    tree = ast.parse(source, filename=filename)
    models = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "datasets.models"
        for alias in node.names
        if alias.name in CATALOGUE_MODELS
    }
    rows = set(CATALOGUE_ROW_NAMES)
    for node in ast.walk(tree):
        # A name bound to a query on a catalogue model holds catalogue rows.
        value = getattr(node, "value", None) if isinstance(node, ast.Assign) else None
        if value is not None and _root_name(value) in models:
            rows.update(t.id for t in node.targets if isinstance(t, ast.Name))
        is_loop = isinstance(node, ast.For) and isinstance(node.target, ast.Name)
        if is_loop and _root_name(node.iter) in models | rows:
            rows.add(node.target.id)
    offences = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        if isinstance(function, ast.Name) and function.id in models:
            offences.append(f"{filename}:{node.lineno} builds {function.id}(...)")
            continue
        if not isinstance(function, ast.Attribute):
            continue
        receiver = function.value
        root = _root_name(receiver)
        chain = _chain_attributes(receiver)
        if root in models and "objects" in chain and function.attr in QUERY_WRITES:
            offences.append(f"{filename}:{node.lineno} {root}.objects ... .{function.attr}()")
        elif chain and chain[0] in CATALOGUE_RELATIONS and function.attr in RELATION_WRITES:
            offences.append(f"{filename}:{node.lineno} .{chain[0]}.{function.attr}()")
        elif function.attr in INSTANCE_WRITES | QUERY_WRITES and (
            (isinstance(receiver, ast.Name) and receiver.id in rows)
            or (isinstance(receiver, ast.Attribute) and receiver.attr in rows)
        ):
            offences.append(f"{filename}:{node.lineno} .{function.attr}() on a catalogue row")
    return offences


def test_only_the_catalogue_services_write_catalogue_rows():
    offences = [
        offence
        for part in PRODUCTION_PARTS
        for path in sorted((ROOT / part).rglob("*.py"))
        if "migrations" not in path.parts
        for offence in catalogue_writes(path.read_text(), str(path.relative_to(ROOT)))
    ]
    assert offences == []


@pytest.mark.parametrize(
    "source",
    [
        "from datasets.models import Dataset\nDataset(slug='x').save()",
        "from datasets.models import Dataset as D\nD.objects.create(slug='x')",
        "from datasets.models import DatasetVersion\n"
        "DatasetVersion.objects.filter(pk=1).update(metrics={})",
        "from datasets.models import ClassLabel\nClassLabel.objects.bulk_create([])",
        "def f(job):\n    job.result_version.description = 'x'\n    job.result_version.save()",
        "def f(version):\n    version.images.create(path='a.png')",
        "def f(dataset, user):\n    dataset.collaborators.add(user)",
        "from datasets.models import Dataset\n"
        "def f():\n    found = Dataset.objects.get(pk=1)\n    found.title = 'x'\n    found.save()",
        "from datasets.models import Dataset\n"
        "def f():\n    for each in Dataset.objects.all():\n        each.delete()",
    ],
)
def test_the_write_rule_sees_a_planted_write(source):
    assert catalogue_writes(source) != []


@pytest.mark.parametrize(
    "source",
    [
        "from datasets.models import Dataset\nDataset.objects.filter(slug='x').exists()",
        "from datasets import services\nservices.record_version_metrics(version, {})",
        "def f(run):\n    run.save()",
        "def f(storage):\n    storage.delete('name')",
    ],
)
def test_the_write_rule_lets_reads_and_service_calls_pass(source):
    assert catalogue_writes(source) == []
