"""The front door: README, LICENSE and CITATION.cff agree with the package they describe."""

import ast
import configparser
import importlib
import re
from pathlib import Path

import pytest

import debias_estimators

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_links_and_images_point_at_files_of_the_repository():
    targets = re.findall(r"\]\(([^)#\s]+)\)", README)
    local = [t for t in targets if not t.startswith(("http://", "https://"))]
    assert "docs/_static/demo_group_recall.png" in local and "LICENSE" in local
    missing = [t for t in local if not (ROOT / t).exists()]
    assert not missing, missing


def test_readme_example_imports_public_names_and_compiles():
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert blocks and len(blocks[0].strip().splitlines()) <= 12
    tree = ast.parse(blocks[0])
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = importlib.import_module(node.module)
            for alias in node.names:
                assert alias.name in module.__all__, (node.module, alias.name)


def test_readme_names_the_report_files_the_demo_writes():
    from test_cli import DEMO_FILES

    per_model = ("training_curves_", "roc_")  # one figure per model, named by a pattern
    for name in DEMO_FILES:
        assert f"`{name}`" in README or name.startswith(per_model), name
    for prefix in per_model:
        assert f"`{prefix}*.png`" in README


def test_license_is_the_mit_license_setup_cfg_declares():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    assert config["metadata"]["license"] == "MIT"
    assert config["metadata"]["license_files"].strip() == "LICENSE"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


def test_citation_file_cites_this_version_and_the_paper():
    yaml = pytest.importorskip("yaml")
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0" and citation["type"] == "software"
    assert citation["version"] == debias_estimators.__version__
    assert citation["license"] == "MIT"
    paper = citation["preferred-citation"]
    assert paper["doi"] == "10.1145/3306618.3314243" and paper["year"] == 2019
    assert [a["family-names"] for a in paper["authors"]][0] == "Amini"
