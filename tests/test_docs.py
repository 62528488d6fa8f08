"""The definitions shown in the README and shipped in examples/ load without errors."""

from __future__ import annotations

from pathlib import Path

from okrpipe.definitions import load_definitions

ROOT = Path(__file__).resolve().parents[1]


def test_readme_definitions_example_loads(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Definitions") :]
    start = section.index("```yaml\n") + len("```yaml\n")
    example = tmp_path / "okrs.yaml"
    example.write_text(section[start : section.index("```", start)])
    definitions = load_definitions(example)
    assert {kr.id for kr in definitions.key_results} == {
        "conversion_kr",
        "daily_visits",
        "nps_kr",
    }


def test_shipped_example_definitions_load() -> None:
    definitions = load_definitions(ROOT / "examples" / "okrs.yaml")
    assert list(definitions.objectives) == ["grow_january"]
