"""The definition file parser: every problem reported with its line, nothing else accepted."""

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chanye.industries.definition import DefinitionError, diff_definitions, parse_definition
from chanye.industries.definition.parse import dump

VALID = textwrap.dedent("""\
    format: chanye/system-definition@1
    system:
      code: test-3
      name: 测试区“3”产业体系
      version: "1"
      effective: 2025-01-01
      region: {code: "440106", name: 测试区, level: district}
    departments:
      - {code: IIT, name: 区工业和信息化局}
      - {code: COM, name: 区商务局}
    leaders:
      - {code: L1, title: 副区长（分管工业和信息化）}
    industries:
      - code: SW
        name: 软件与互联网
        category: strategic_cluster
        classification:
          gbt4754: {include: ["64", "651"], exclude: ["6560"]}
          keywords: [软件]
        governance: {leader: L1, lead_department: IIT, supporting_departments: [COM]}
      - code: TRADE
        name: 现代商贸
        category: modern_service
        classification:
          gbt4754: {include: [F]}
    indicators:
      - {code: scale, name: 产业规模, unit: 亿元}
    targets:
      - {indicator: scale, scope: SW, year: 2035, value: 1000, unit: 亿元, comparator: ">="}
    """)


def problems_of(text: str, **kwargs) -> list[tuple[int, str]]:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(text, filename="t.yaml", **kwargs)
    return [(p.line, p.message) for p in caught.value.problems]


def test_a_valid_file_parses_with_defaults_filled_in():
    definition = parse_definition(VALID)
    assert [i["code"] for i in definition["industries"]] == ["SW", "TRADE"]
    trade = definition["industries"][1]
    assert trade["classification"]["keywords"] == []
    assert trade["governance"] == {"supporting_departments": []}
    assert definition["system"]["effective"] == "2025-01-01"


def test_every_problem_is_reported_at_its_line_in_one_go():
    broken = (
        VALID.replace("    category: modern_service", "    category: modern_service\n    colour: red")
        .replace("code: TRADE", "code: SW")
        .replace('"651"', '"6514"')
        .replace("year: 2035", "year: 3035")
        .replace("lead_department: IIT", "lead_department: XXX")
    )
    found = problems_of(broken)
    lines = broken.splitlines()

    def line_of(fragment: str) -> int:
        return next(i for i, line in enumerate(lines, start=1) if fragment in line)

    assert (line_of("colour: red"), "unknown key 'colour' in industries[1]") in found
    duplicate = [item for item in found if "duplicate code 'SW'" in item[1]]
    assert duplicate and duplicate[0][0] == [i for i, line in enumerate(lines, 1) if "code: SW" in line][1]
    assert (line_of('"6514"'), "GB/T 4754-2017 code '6514' does not exist") in found
    assert (line_of("year: 3035"), "year 3035 is outside 2000–2100") in found
    assert (line_of("lead_department: XXX"), "department 'XXX' is not defined in departments") in found


def test_parent_node_must_exist_in_the_loaded_parent_system():
    text = VALID.replace("  effective: 2025-01-01", "  effective: 2025-01-01\n  parent: city-1").replace(
        "    category: strategic_cluster", "    category: strategic_cluster\n    parent_node: GZ-NOPE"
    )
    found = problems_of(text, parent_nodes=lambda code: {"GZ-SW"} if code == "city-1" else None)
    assert any("parent node 'GZ-NOPE' does not exist in system 'city-1'" in m for _, m in found)
    missing = problems_of(text)
    assert any("parent system 'city-1' is not loaded" in m for _, m in missing)


def test_yaml_syntax_error_names_the_line():
    found = problems_of(VALID.replace("  name: 测试区“3”产业体系", "  name: [unclosed"))
    assert len(found) == 1 and found[0][1].startswith("YAML syntax")
    assert found[0][0] >= 4


def test_duplicate_keys_and_wrong_types_are_reported():
    text = VALID.replace('  version: "1"', '  version: "1"\n  version: "2"').replace(
        "value: 1000", "value: 一千"
    )
    found = problems_of(text)
    assert (6, "duplicate key 'version'") in found
    assert any("targets[0].value" in m for _, m in found)


def test_empty_and_non_mapping_files_are_refused():
    assert problems_of("") == [(1, "the file is empty")]
    assert "mapping" in problems_of("- just\n- a list\n")[0][1]


def test_target_scope_and_indicator_must_exist():
    text = VALID.replace("scope: SW", "scope: NOPE").replace("indicator: scale,", "indicator: nope,")
    messages = [m for _, m in problems_of(text)]
    assert "target scope 'NOPE' is neither 'district' nor an industry code" in messages
    assert "indicator 'nope' is not defined in indicators" in messages


def test_diff_lists_added_removed_and_changed_items():
    old = parse_definition(VALID)
    new = parse_definition(
        VALID.replace("name: 现代商贸", "name: 现代商贸与消费")
        .replace("    indicators:", "")
        .replace('  version: "1"', '  version: "2"')
    )
    new["industries"].append({**new["industries"][0], "code": "NEW"})
    changes = {(c.section, c.key, c.kind, c.field) for c in diff_definitions(old, new)}
    assert ("system", "test-3", "changed", "version") in changes
    assert ("industries", "TRADE", "changed", "name") in changes
    assert ("industries", "NEW", "added", "") in changes
    assert diff_definitions(old, old) == []


@settings(max_examples=40, deadline=None)
@given(
    names=st.lists(
        st.text(alphabet="软件互联网人工智能金融商贸文化创意旅游", min_size=1, max_size=8),
        min_size=1,
        max_size=6,
        unique=True,
    )
)
def test_dump_then_parse_gives_back_the_same_definition(names):
    definition = parse_definition(VALID)
    definition["industries"] = [
        {**definition["industries"][1], "code": f"I{i}", "name": name} for i, name in enumerate(names)
    ]
    definition["targets"] = []
    assert parse_definition(dump(definition)) == definition
