"""``credit-engine ledger``: funds, policies, insurance covers, bank event files, the audit and migrations (台账).

The ledger lives in ``data/ledger.db`` under the settings' data folder (created and migrated when first used) or
in PostgreSQL when ``CREDIT_ENGINE_DATABASE_URL`` is set (run ``ledger migrate`` first). Money is given in yuan
with at most two decimals, multiples and shares as plain numbers (``--cap-multiple 10``, ``--fund-share 0.7``).
Exit codes: 0 done, 2 invalid input (every error listed), 1 refused or failed (the audit: violations found).
Heavy modules are imported inside the commands.
"""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from cli.common import console, err_console, guarded, settings
from cli.options import converted, day, day_or_today

app = typer.Typer(no_args_is_help=True, help="Risk-compensation fund ledger / 风险补偿金台账.")
fund_app = typer.Typer(no_args_is_help=True, help="Funds / 风险补偿金.")
policy_app = typer.Typer(no_args_is_help=True, help="Fund policies / 风险补偿金政策.")
insurance_app = typer.Typer(no_args_is_help=True, help="Insurance cover / 保证保险.")
app.add_typer(fund_app, name="fund")
app.add_typer(policy_app, name="policy")
app.add_typer(insurance_app, name="insurance")


def _actor(recorded_by: str | None) -> str:
    if recorded_by:
        return recorded_by
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


@contextmanager
def _ledger(*, read_only: bool = False) -> Iterator:
    """A unit of work on the settings' ledger (migrated if SQLite); the engine is closed afterwards."""
    from credit_engine.ledger.database import open_ledger
    from credit_engine.ledger.unit_of_work import UnitOfWork

    engine = open_ledger(settings())
    try:
        yield UnitOfWork(engine, read_only=read_only)
    finally:
        engine.dispose()


def _terms(base, changes: dict[str, str | int | bool | None], no_cap: bool):
    """``base`` with the options given: ratios become basis points (10 → 100000, 0.7 → 7000)."""
    from credit_engine.ledger.money import ratio_to_bps

    updates: dict[str, object] = {}
    for name, value in changes.items():
        if value is None:
            continue
        if isinstance(value, str):
            option = "--" + name.replace("_bps", "").replace("_", "-")
            value = converted(option, value, ratio_to_bps)
        updates[name] = value
    if no_cap:
        updates["cap_multiple_bps"] = None
    return base.replace(**updates)


def _receipt(receipt) -> None:
    verb = "already recorded / 已记录（重复提交）" if receipt.duplicate else "recorded / 已记账"
    console.print(f"{receipt.event_type} {receipt.fund_id} {receipt.idempotency_key}: {verb}", highlight=False)
    for key, value in receipt.details.items():
        console.print(f"  {key}: {value}", highlight=False)


@fund_app.command("create")
@guarded
def fund_create(
    fund_id: str = typer.Option(..., "--fund-id", help="Fund id / 风险补偿金编号."),
    county: str = typer.Option(..., "--county", help="6-digit county code / 县代码."),
    bank: str = typer.Option(..., "--bank", help="Partner bank code / 合作银行."),
    floor_multiple: str | None = typer.Option(None, help="Lending floor, e.g. 8 / 放大倍数下限."),
    cap_multiple: str | None = typer.Option(None, help="Lending cap, e.g. 10 / 放大倍数上限."),
    no_cap: bool = typer.Option(False, "--no-cap", help="No lending cap / 不设上限."),
    fund_share: str | None = typer.Option(None, help="Fund share of losses, e.g. 0.7 / 代偿比例."),
    amount_yuan: str | None = typer.Option(None, help="Initial contribution in yuan / 初始注入金额(元)."),
    value_date: str | None = typer.Option(None, help="Opening date, default today / 设立日期."),
    key: str = typer.Option("open", help="Idempotency key / 幂等键."),
    recorded_by: str | None = typer.Option(None, help="Actor recorded / 记账人."),
) -> None:
    """Open a county's fund at a partner bank; the money arrives as a contribution (注入)."""
    from credit_engine.ledger import commands, services
    from credit_engine.ledger.domain import default_contribution_yuan, default_terms
    from credit_engine.ledger.money import yuan_to_fen

    changes = {"floor_multiple_bps": floor_multiple, "cap_multiple_bps": cap_multiple, "fund_share_bps": fund_share}
    amount_fen = converted("--amount-yuan", amount_yuan or default_contribution_yuan(), yuan_to_fen)
    command = commands.CreateFund(
        fund_id=fund_id,
        idempotency_key=key,
        recorded_by=_actor(recorded_by),
        county_code=county,
        bank_code=bank,
        value_date=day_or_today("--value-date", value_date),
        amount_fen=amount_fen,
        terms=_terms(default_terms(), changes, no_cap),
    )
    with _ledger() as uow:
        _receipt(services.create_fund(uow, command))


@policy_app.command("set")
@guarded
def policy_set(
    fund_id: str = typer.Option(..., "--fund-id", help="Fund id / 风险补偿金编号."),
    effective_from: str = typer.Option(..., "--from", help="First day the terms apply / 生效日期."),
    floor_multiple: str | None = typer.Option(None, help="Lending floor / 放大倍数下限."),
    cap_multiple: str | None = typer.Option(None, help="Lending cap / 放大倍数上限."),
    no_cap: bool = typer.Option(False, "--no-cap", help="No lending cap / 不设上限."),
    fund_share: str | None = typer.Option(None, help="Fund share of losses / 代偿比例."),
    trigger_days: int | None = typer.Option(None, help="Days past due before compensation / 代偿触发天数."),
    payment_deadline_days: int | None = typer.Option(None, help="Days to pay a claim / 代偿支付期限."),
    npl_suspension: str | None = typer.Option(None, help="Suspend above this NPL ratio, e.g. 0.03 / 暂停阈值."),
    household_min_share: str | None = typer.Option(None, help="Minimum household share / 富民贷最低占比."),
    subsidy_rate: str | None = typer.Option(None, help="Subsidised rate a year, e.g. 0.05 / 贴息利率."),
    suspend: bool | None = typer.Option(None, "--suspend/--resume", help="Suspend or resume lending / 暂停放款."),
    key: str | None = typer.Option(None, help="Idempotency key (default: from the content) / 幂等键."),
    recorded_by: str | None = typer.Option(None, help="Actor recorded / 记账人."),
) -> None:
    """Change a fund's terms from a date on (terms not given stay as in force on that date)."""
    changes = {
        "floor_multiple_bps": floor_multiple,
        "cap_multiple_bps": cap_multiple,
        "fund_share_bps": fund_share,
        "trigger_days": trigger_days,
        "payment_deadline_days": payment_deadline_days,
        "npl_suspension_bps": npl_suspension,
        "household_min_share_bps": household_min_share,
        "subsidy_rate_bps": subsidy_rate,
        "lending_suspended": suspend,
    }
    with _ledger() as uow:
        _receipt(_set_policy(uow, fund_id, day_or_today("--from", effective_from), changes, no_cap, key, recorded_by))


def _set_policy(uow, fund_id: str, on: dt.date, changes: dict, no_cap: bool, key: str | None, recorded_by):
    """The terms in force on ``on`` (or the first ones) with ``changes``; the key defaults to the content's hash."""
    from dataclasses import replace

    from credit_engine.desk.reading import base_terms
    from credit_engine.ledger import commands, services

    command = commands.SetPolicy(
        fund_id=fund_id,
        idempotency_key=key or "policy",
        recorded_by=_actor(recorded_by),
        effective_from=on,
        terms=_terms(base_terms(uow.engine, fund_id, on), changes, no_cap),
    )
    if key is None:
        command = replace(command, idempotency_key=f"policy-{on}-{commands.body_hash(command)[:12]}")
    return services.set_policy(uow, command)


@insurance_app.command("set")
@guarded
def insurance_set(
    fund_id: str = typer.Option(..., "--fund-id", help="Fund id / 风险补偿金编号."),
    effective_from: str = typer.Option(..., "--from", help="First day of the cover / 生效日期."),
    insurer: str = typer.Option(..., help="Insurer / 保险公司."),
    kind: str = typer.Option(..., help="share, first_loss or none (ends the cover) / 比例分担、首损层或无."),
    share: str | None = typer.Option(None, help="The insurer's share of each loss, e.g. 0.5 / 保险分担比例."),
    layer_yuan: str | None = typer.Option(None, help="First-loss layer a policy year, in yuan / 首损层(元/年)."),
    layer_share: str | None = typer.Option(None, help="Or a share of insured principal, e.g. 0.05 / 首损层比例."),
    premium_rate: str = typer.Option("0", help="Premium a year on insured principal, e.g. 0.02 / 年费率."),
    premium_subsidy: str = typer.Option("0", help="The county's share of premiums, e.g. 0.5 / 保费补贴比例."),
    products: str | None = typer.Option(None, help="Product codes covered, comma-separated (default: all) / 险种."),
    effective_to: str | None = typer.Option(None, "--to", help="Last day of the cover / 截止日期."),
    key: str | None = typer.Option(None, help="Idempotency key (default: from the content) / 幂等键."),
    recorded_by: str | None = typer.Option(None, help="Actor recorded / 记账人."),
) -> None:
    """Set a fund's insurance cover (保证保险) from a date on: claims then pass the waterfall (insurer first, then
    fund and bank at the policy's share). Premiums and insurer payments arrive in bank event files."""
    from dataclasses import replace

    from credit_engine.ledger import commands, services

    amounts = (share, layer_yuan, layer_share, premium_rate, premium_subsidy)
    cover = _cover(insurer, kind, amounts, products, effective_to)
    on = day("--from", effective_from)
    command = commands.SetInsuranceCover(
        fund_id=fund_id, idempotency_key=key or "cover", recorded_by=_actor(recorded_by), effective_from=on, cover=cover
    )
    if key is None:
        command = replace(command, idempotency_key=f"cover-{on}-{commands.body_hash(command)[:12]}")
    with _ledger() as uow:
        _receipt(services.set_insurance_cover(uow, command))


def _cover(insurer: str, kind: str, amounts: tuple, products: str | None, effective_to: str | None):  # noqa: ANN202
    """The cover terms of the options: (share, layer in yuan, layer share, premium rate, premium subsidy) as text."""
    from credit_engine.insurance.cover import CoverTerms
    from credit_engine.ledger.money import ratio_to_bps, yuan_to_fen

    share, layer_yuan, layer_share, premium_rate, premium_subsidy = amounts
    return CoverTerms(
        insurer=insurer,
        kind=kind,
        share_bps=converted("--share", share, ratio_to_bps) if share else 0,
        layer_fen=converted("--layer-yuan", layer_yuan, yuan_to_fen) if layer_yuan else 0,
        layer_bps=converted("--layer-share", layer_share, ratio_to_bps) if layer_share else 0,
        premium_rate_bps=converted("--premium-rate", premium_rate, ratio_to_bps),
        subsidy_share_bps=converted("--premium-subsidy", premium_subsidy, ratio_to_bps),
        products=tuple(code.strip() for code in (products or "").split(",") if code.strip()),
        effective_to=None if effective_to is None else day("--to", effective_to),
    )


@app.command("import")
@guarded
def import_file(
    file: Path = typer.Argument(..., help="Bank event file, CSV or XLSX / 银行事件文件."),
    results: Path | None = typer.Option(None, "--results", help="Results CSV (default <stem>.results.csv)."),
    recorded_by: str | None = typer.Option(None, help="Actor recorded / 记账人."),
) -> None:
    """Validate a bank's event file whole, then post its events (each idempotent by its event id); exit 1 when any
    event was refused (the results file lists each with its reason)."""
    from rich.progress import Progress

    from credit_engine.ledger.importer import import_events

    secret = settings().pseudonym_secret.get_secret_value()
    with _ledger() as uow, Progress(console=err_console, transient=True) as progress:
        task = progress.add_task("posting / 记账", total=None)
        summary = import_events(
            uow,
            file,
            secret,
            results,
            _actor(recorded_by),
            lambda done, total: progress.update(task, completed=done, total=total),
        )
    counts = ", ".join(f"{status} {summary.counts[status]}" for status in ("posted", "duplicate", "refused"))
    console.print(f"{summary.total} events / 事件: {counts}", highlight=False)
    for code, n in sorted(summary.refusals.items()):
        console.print(f"  refused / 拒绝 {code}: {n}", highlight=False)
    console.print(f"results / 结果: {summary.results_path}", highlight=False)
    if summary.counts["refused"]:
        # the file was read and every other event posted, but a scheduler must be able to tell from the exit code
        err_console.print(
            f"{summary.counts['refused']} events refused, listed in the results file / "
            f"{summary.counts['refused']} 个事件被拒绝，详见结果文件",
            highlight=False,
        )
        raise typer.Exit(code=1)


@app.command("audit")
@guarded
def audit_command(
    fund_id: list[str] | None = typer.Option(None, "--fund-id", help="Only these funds / 仅审计这些基金."),
) -> None:
    """Re-check the whole ledger against its journal; exit 1 with every violation found. Funds over their cap are
    listed as notices (policy allows it; they lend nothing until back under)."""
    from credit_engine.ledger.validations import audit, notices

    with _ledger(read_only=True) as reader, reader as uow:
        violations = audit(uow, fund_id or None)
        found = notices(uow, fund_id or None)
    for notice in found:
        console.print(f"  notice / 提示 {notice}", highlight=False, markup=False)
    if violations:
        for violation in violations:
            err_console.print(f"  {violation}", highlight=False, markup=False)
        err_console.print(f"[bold red]{len(violations)} violation(s) / 处违规[/]")
        raise typer.Exit(code=1)
    console.print("ledger is clean / 台账核对无误")


@app.command("migrate")
@guarded
def migrate_command() -> None:
    """Upgrade the ledger database to the latest schema / 升级台账数据库."""
    from credit_engine.ledger.database import engine_for_settings, migrate

    engine = engine_for_settings(settings())
    try:
        revision = migrate(engine)
    finally:
        engine.dispose()
    console.print(f"ledger schema at revision {revision} / 台账数据库版本 {revision}", highlight=False)


@app.command("seed")
@guarded
def seed_command(
    folder: Path = typer.Option(..., "--from", help="Folder of a generated registry / 合成建档立卡数据目录."),
    fund_yuan: str | None = typer.Option(
        None, "--fund-yuan", help="Each county fund, yuan (default 5,000,000) / 每县基金."
    ),
) -> None:
    """Seed a demo ledger: one fund per county and a realistic history from the registry / 生成演示台账."""
    from credit_engine.ledger.domain import default_contribution_yuan
    from credit_engine.ledger.money import yuan_to_fen

    fund_fen = converted("--fund-yuan", fund_yuan or default_contribution_yuan(), yuan_to_fen)
    summary = _seed(folder, fund_fen)
    console.print(_status_table(summary))
    counts = ", ".join(f"{status} {summary.counts[status]}" for status in ("posted", "duplicate"))
    console.print(f"events / 事件: {counts}", highlight=False)
    console.print(
        f"next / 下一步: credit-engine report leverage --as-of {summary.as_of} --format html --out leverage.html",
        highlight=False,
    )


def _seed(folder: Path, fund_fen: int):  # noqa: ANN202 - a SeedSummary
    """Seed the configured ledger from the registry in ``folder`` with the configured policy, showing progress."""
    from rich.progress import Progress

    from credit_engine.ledger.database import open_ledger
    from credit_engine.ledger.seed import seed_ledger
    from credit_engine.policy import load_policy

    secret = settings().pseudonym_secret.get_secret_value()
    engine = open_ledger(settings())
    try:
        with Progress(console=err_console, transient=True) as progress:
            task = progress.add_task("seeding / 生成台账", total=None)
            return seed_ledger(
                engine,
                folder,
                secret,
                fund_fen=fund_fen,
                policy=load_policy(settings().policy_file),
                progress=lambda d, t: progress.update(task, completed=d, total=t),
            )
    finally:
        engine.dispose()


def _status_table(summary):  # noqa: ANN001, ANN202 - a SeedSummary in, a rich Table out
    """The seeded funds by status: how many, their balance and covered principal in yuan."""
    from rich.table import Table

    from credit_engine.reports.layout import yuan
    from credit_engine.reports.leverage import STATUS_LABELS, STATUSES

    table = Table(title=f"Funds by status on {summary.as_of} / {summary.as_of} 各状态基金")
    for title, justify in (
        ("status / 状态", "left"),
        ("funds / 基金数", "right"),
        ("fund balance / 基金余额(元)", "right"),
        ("covered / 覆盖贷款余额(元)", "right"),
    ):
        table.add_column(title, justify=justify)  # type: ignore[arg-type]
    for status in STATUSES:  # a fund's statuses (needs_action is a county's or a province's)
        mine = [p for p in summary.positions if p.status == status]
        balance = sum(p.fund_balance_fen for p in mine)
        covered = sum(p.covered_principal_fen for p in mine)
        table.add_row(STATUS_LABELS[status], str(len(mine)), f"{yuan(balance):,.2f}", f"{yuan(covered):,.2f}")
    return table
