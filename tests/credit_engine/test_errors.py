"""An engine error states its fact in English and 中文, fixed by its class or given when raised."""

from __future__ import annotations

from credit_engine.access.principal import AccessDenied
from credit_engine.errors import BilingualError
from credit_engine.ledger.errors import UnknownFund


class Fixed(BilingualError):
    message_en = "the thing is off"
    message_zh = "该事项已关闭"


def test_a_fixed_fact_reads_from_the_class_and_its_text_joins_both_languages():
    assert str(Fixed()) == "the thing is off / 该事项已关闭"
    assert str(AccessDenied()) == f"{AccessDenied.message_en} / {AccessDenied.message_zh}"


def test_a_fact_given_when_raised_is_the_errors_own_and_not_its_classes():
    error = UnknownFund("F-9")
    assert (error.message_en, error.message_zh) == ("fund F-9 does not exist", "风险补偿金 F-9 不存在")
    assert str(error) == "fund F-9 does not exist / 风险补偿金 F-9 不存在" and error.facts == {"fund_id": "F-9"}
    assert Fixed("another", "另一个").message_en == "another" and Fixed.message_en == "the thing is off"
