"""Roles, scopes and the caller they describe: what a key may do, and where.

Four roles (DESIGN.md, Security): an ``officer`` assesses applications, posts loan events and reads the funds of one
partner bank in its counties; a ``fund_admin`` manages the funds of its counties or province and reads their
reports; a ``model_admin`` reloads the champion model; an ``auditor`` reads everything and writes nothing. A scope
names a bank, counties (6-digit GB/T 2260 codes) and/or a province (2-digit prefix); a county is covered when it is
listed or lies in the province. Refusals are :class:`AccessDenied` and say nothing about what lies outside the scope
(whether it exists or not).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from credit_engine.errors import BilingualError, InvalidInput, RowError


class Role(StrEnum):
    OFFICER = "officer"
    FUND_ADMIN = "fund_admin"
    MODEL_ADMIN = "model_admin"
    AUDITOR = "auditor"


class Permission(StrEnum):
    ASSESS = "assess"
    READ_ASSESSMENTS = "read_assessments"
    WRITE_LOANS = "write_loans"
    WRITE_FUNDS = "write_funds"
    READ_FUNDS = "read_funds"
    READ_REPORTS = "read_reports"
    MANAGE_MODELS = "manage_models"
    READ_MODELS = "read_models"


P = Permission
PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OFFICER: frozenset({P.ASSESS, P.READ_ASSESSMENTS, P.WRITE_LOANS, P.READ_FUNDS}),
    Role.FUND_ADMIN: frozenset({P.WRITE_FUNDS, P.READ_FUNDS, P.READ_REPORTS}),
    Role.MODEL_ADMIN: frozenset({P.MANAGE_MODELS, P.READ_MODELS}),
    Role.AUDITOR: frozenset({P.READ_ASSESSMENTS, P.READ_FUNDS, P.READ_REPORTS, P.READ_MODELS}),
}
"""What each role may do; a role's scope then limits where."""

_COUNTY = re.compile(r"[0-9]{6}")
_PROVINCE = re.compile(r"[0-9]{2}")


class AccessDenied(BilingualError):
    """The key may not do this here. The message is the same whatever lies outside the scope."""

    code = "forbidden"
    message_en = "this API key may not do that, or not here"
    message_zh = "此 API 密钥无权执行该操作或无权访问该范围"


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a key acts: ``bank_code`` (None: any bank), ``counties`` and ``province`` (neither: everywhere)."""

    bank_code: str | None = None
    counties: frozenset[str] = field(default_factory=frozenset)
    province: str | None = None

    @property
    def everywhere(self) -> bool:
        return not self.counties and self.province is None

    def covers_county(self, county_code: str) -> bool:
        if self.everywhere:
            return True
        return county_code in self.counties or (self.province is not None and county_code.startswith(self.province))

    def covers_fund(self, county_code: str, bank_code: str) -> bool:
        return self.covers_county(county_code) and (self.bank_code is None or self.bank_code == bank_code)

    def as_dict(self) -> dict[str, object]:
        return {"bank_code": self.bank_code, "counties": sorted(self.counties), "province": self.province}


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller: an API key's id, name, role and scope."""

    key_id: str
    name: str
    role: Role
    scope: Scope

    def role_may(self, permission: Permission) -> bool:
        return permission in PERMISSIONS[self.role]

    def require(self, permission: Permission) -> None:
        if permission not in PERMISSIONS[self.role]:
            raise AccessDenied()

    def require_county(self, permission: Permission, county_code: str) -> None:
        self.require(permission)
        if not self.scope.covers_county(county_code):
            raise AccessDenied()

    def require_fund(self, permission: Permission, county_code: str, bank_code: str) -> None:
        self.require(permission)
        if not self.scope.covers_fund(county_code, bank_code):
            raise AccessDenied()


def check_scope(role: Role, scope: Scope) -> None:
    """Refuse a scope that does not fit the role (``InvalidInput`` naming every problem).

    Officers need a bank and counties or a province; fund administrators counties or a province; model
    administrators and auditors act everywhere and take no scope.
    """
    errors = [
        RowError(None, "county", "county_code_format", "6 digits (GB/T 2260) / 6 位数字", county)
        for county in sorted(scope.counties)
        if not _COUNTY.fullmatch(county)
    ]
    if scope.province is not None and not _PROVINCE.fullmatch(scope.province):
        errors.append(RowError(None, "province", "province_format", "2 digits / 2 位数字", scope.province))
    if role is Role.OFFICER and not scope.bank_code:
        errors.append(RowError(None, "bank", "required", "an officer's key names its bank / 信贷员密钥须指定银行"))
    if role in (Role.OFFICER, Role.FUND_ADMIN) and scope.everywhere:
        errors.append(
            RowError(None, "county", "required", "give --county or --province / 须指定 --county 或 --province")
        )
    if role in (Role.MODEL_ADMIN, Role.AUDITOR) and (scope.bank_code or not scope.everywhere):
        errors.append(
            RowError(
                None,
                "scope",
                "no_scope",
                f"{'an' if role[:1] in 'aeiou' else 'a'} {role} key takes no scope / 该角色不设范围",
            )
        )
    if errors:
        raise InvalidInput(errors, "the key's scope does not fit its role / 密钥范围与角色不符")
