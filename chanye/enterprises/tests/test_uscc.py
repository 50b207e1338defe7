"""统一社会信用代码 checks: table-driven cases, properties of the check digit, the CLI and the API."""

import io

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from chanye.enterprises.uscc import CHARSET, check, normalise

# Published registrations used as examples of valid codes.
VALID = ["91350100M000100Y43", "91110000600037341L"]


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("91350100M000100Y43", ""),
        ("９１３５０１００Ｍ０００１００Ｙ４３", ""),  # full-width digits and letters
        ("  91350100m000100y43\t", ""),  # spaces, lower case
        ("91350100-M000100Y43", ""),  # a hyphen typed in the middle
        ("", "empty"),
        ("9135010", "length"),
        ("91350100M000100Y4", "length"),
        ("91350100M000100I43", "character"),  # I is not used
        ("9135AB00M000100Y43", "division"),
        ("91350100M000100X43", "org_check"),
        ("91350100M000100Y44", "check"),
    ],
)
def test_each_failure_has_its_own_reason(raw, error):
    result = check(raw)
    assert result.error == error, result.message
    assert result.valid is (error == "")


def test_messages_name_the_expected_value():
    assert check("91350100M000100Y44").message == "第 18 位校验码不符（GB 32100），应为 3"
    assert "18 位" in check("123").message


def test_normalise():
    assert normalise(" ９１ａｂ－1 ") == "91AB1"


@given(code=st.sampled_from(VALID), position=st.integers(0, 17), replacement=st.sampled_from(CHARSET))
def test_any_single_substitution_is_detected(code, position, replacement):
    if code[position] == replacement:
        return
    mutated = code[:position] + replacement + code[position + 1 :]
    if position in range(2, 8) and not replacement.isdigit():
        assert check(mutated).error == "division"
    else:
        assert not check(mutated).valid


@given(code=st.sampled_from(VALID), position=st.integers(0, 16))
def test_adjacent_transpositions_are_detected(code, position):
    a, b = code[position], code[position + 1]
    if a == b:
        return
    swapped = code[:position] + b + a + code[position + 2 :]
    assert not check(swapped).valid


def test_cli_prints_one_line_per_code_and_exits_1_on_any_invalid():
    out = io.StringIO()
    call_command("uscc", "check", *VALID, stdout=out)
    assert out.getvalue().splitlines() == [f"{code}\tvalid" for code in VALID]
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("uscc", "check", VALID[0], "91350100M000100Y44", stdout=out)
    assert exited.value.code == 1
    assert (
        out.getvalue().splitlines()[1]
        == "91350100M000100Y44\tinvalid: 第 18 位校验码不符（GB 32100），应为 3"
    )


@pytest.mark.django_db
def test_api_checks_a_batch_with_reasons(personas, api_as):
    response = api_as(personas["enterprise"]).post(
        "/api/v1/uscc/check/",
        {"codes": ["９１３５０１００Ｍ０００１００Ｙ４３", "91350100M000100Y44"]},
        format="json",
    )
    assert response.status_code == 200
    first, second = response.json()
    assert first["valid"] and first["code"] == "91350100M000100Y43"
    assert second["error"] == "check" and "应为 3" in second["message"]
    assert (
        api_as(personas["enterprise"]).post("/api/v1/uscc/check/", {"codes": []}, format="json").status_code
        == 400
    )
    assert api_as(None).post("/api/v1/uscc/check/", {"codes": VALID}, format="json").status_code == 401
    assert (
        api_as(personas["sysadmin"]).post("/api/v1/uscc/check/", {"codes": VALID}, format="json").status_code
        == 403
    )
