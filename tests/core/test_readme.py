"""The README's support table says what the code does: its operation counts match `coverage`."""

from __future__ import annotations

import re

from cloudlet.coverage import coverage_rows
from tests.support.server import ROOT

NAMES = {"route53": "Route 53", "dynamodb": "DynamoDB", "sts": "STS"}


def test_support_table_counts_match_the_code() -> None:
    readme = (ROOT / "README.md").read_text()
    rows = {r["service"]: r for r in coverage_rows()}
    for service, title in NAMES.items():
        line = next(ln for ln in readme.splitlines() if ln.startswith(f"| {title} (`{service}`)"))
        implemented, total = map(int, re.search(r"\| (\d+) / (\d+) \|", line).groups())  # type: ignore[union-attr]
        assert (implemented, total) == (len(rows[service]["implemented"]), rows[service]["total"]), service
    for service, row in rows.items():
        if service not in NAMES:
            assert row["implemented"] == [], f"{service} is implemented now: give it a row in README.md"


def test_readme_starts_with_the_two_setup_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("```sh", 1)[1].split("```", 1)[0]
    assert [ln.split()[0:2] for ln in block.strip().splitlines()] == [["make", "run"], ["make", "test"]]
