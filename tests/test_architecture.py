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
