"""The paper code: short, typable, checked; it stands for the site's full signature over the statement."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from danvan_desktop.services.reporting.return_code import (
    ALPHABET,
    CodeError,
    Statement,
    code_body,
    normalize_code,
    sign_statement,
)

STATEMENT = Statement(
    site="site", unit="DH-PHUCCHU", period="2023", kind="return", structure="ky", profile="nha_nuoc",
    series="BC-ĐU:2023", number=12, figures_sha256="0" * 64,
)  # fmt: skip


def test_code_reads_back_in_any_spelling_and_verifies_only_its_statement() -> None:
    key = Ed25519PrivateKey.generate()
    signed = sign_statement(STATEMENT, key)
    code = signed.code
    assert len(code) == 16 and code.count("-") == 3
    body = code_body(signed.signature)
    for typed in (code, code.lower(), code.replace("-", " "), code.replace("O", "0").replace("I", "1")):
        assert normalize_code(typed) == body
    assert signed.verifies(key.public_key())
    changed = Statement(**{**STATEMENT.__dict__, "number": 13})
    assert not type(signed)(changed, signed.signature).verifies(key.public_key())
    assert not signed.verifies(Ed25519PrivateKey.generate().public_key())


def test_every_single_mistyped_character_is_caught() -> None:
    code = sign_statement(STATEMENT, Ed25519PrivateKey.generate()).code.replace("-", "")
    for position in range(len(code)):
        for letter in ALPHABET:
            if letter == code[position]:
                continue
            typed = code[:position] + letter + code[position + 1 :]
            with pytest.raises(CodeError, match="gõ nhầm"):
                normalize_code(typed)


def test_the_check_character_is_luhn_mod_32_as_python_stdnum_computes_it() -> None:
    from stdnum import luhn

    for _ in range(200):
        signed = sign_statement(STATEMENT, Ed25519PrivateKey.generate())
        code = signed.code.replace("-", "")
        assert luhn.calc_check_digit(code[:-1], alphabet=ALPHABET) == code[-1]
        luhn.validate(code, alphabet=ALPHABET)


@pytest.mark.parametrize(("typed", "fragment"), [("ABC", "13 ký tự"), ("ABCD-EFGH-IJKL-@", "ký tự lạ")])
def test_bad_codes_say_why(typed: str, fragment: str) -> None:
    with pytest.raises(CodeError, match=fragment):
        normalize_code(typed)
