"""Commands for data: ``credit-engine data generate`` writes a synthetic registry (合成建档立卡数据).

``generate`` calls :func:`training.generator.generate_registry` and writes ``households.parquet`` (the contract
columns plus ``defaulted``) and ``truth.parquet`` (``application_id``, ``true_pd``) into the output folder, showing
each stage, then prints a short bilingual summary. ``--scenario drought`` appends the 2025 applications of the
drought scenario (:mod:`training.generator_drought`; the 2021–2024 rows are those of the same seed without it).
``--product qiangnong`` writes the 强农贷 book instead (:func:`training.generator_enterprise.generate_enterprises`):
``enterprises.parquet`` and ``truth.parquet``. Heavy imports stay inside the command.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from cli.common import console, guarded

app = typer.Typer(no_args_is_help=True, help="Synthetic registry data / 合成建档立卡数据.")

HOUSEHOLDS_FILE = "households.parquet"
ENTERPRISES_FILE = "enterprises.parquet"
TRUTH_FILE = "truth.parquet"


class Product(StrEnum):
    fumin = "fumin"
    qiangnong = "qiangnong"


class Scenario(StrEnum):
    none = "none"
    drought = "drought"


@app.command("generate")
@guarded
def generate(
    households: Annotated[int, typer.Option("--households", min=1, help="Number of households / 农户数.")] = 100_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives the same data / 随机种子.")] = 0,
    out: Annotated[Path, typer.Option("--out", help="Output folder, created if missing / 输出目录.")] = Path("data"),
    product: Annotated[
        Product, typer.Option("--product", help="fumin: households 富民贷; qiangnong: enterprises 强农贷 / 产品.")
    ] = Product.fumin,
    enterprises: Annotated[
        int, typer.Option("--enterprises", min=1, help="Number of enterprise applications (qiangnong) / 企业申请数.")
    ] = 2_000,
    scenario: Annotated[
        Scenario,
        typer.Option("--scenario", help="drought: append 2025 with a drought in a third of the counties / 旱灾情景."),
    ] = Scenario.none,
) -> None:
    """Generate a synthetic registry of loan applications with outcomes / 生成合成建档立卡贷款申请数据."""
    if product is Product.qiangnong:
        _generate_enterprises(enterprises, seed, out)
        return
    from training.generator import generate_registry
    from training.generator_drought import DroughtScenario

    chosen = DroughtScenario() if scenario is Scenario.drought else None
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console) as progress:
        task = progress.add_task("start / 开始", total=None)
        applications, truth = generate_registry(
            households, seed, on_step=lambda step: progress.update(task, description=step), scenario=chosen
        )
        progress.update(task, description=f"writing / 写入 {out}")
        out.mkdir(parents=True, exist_ok=True)
        applications.to_parquet(out / HOUSEHOLDS_FILE, index=False)
        truth.to_parquet(out / TRUTH_FILE, index=False)
    console.print(_summary(applications))
    console.print(f"written / 已写入: {out / HOUSEHOLDS_FILE}, {out / TRUTH_FILE}", highlight=False)


def _generate_enterprises(n: int, seed: int, out: Path) -> None:
    """The 强农贷 book: ``enterprises.parquet`` and ``truth.parquet``; the seed's county bad years are the
    household registry's of the same seed."""
    from training.generator_enterprise import generate_enterprises

    with console.status("enterprises / 企业申请"):
        applications, truth = generate_enterprises(n, seed)
        out.mkdir(parents=True, exist_ok=True)
        applications.to_parquet(out / ENTERPRISES_FILE, index=False)
        truth.to_parquet(out / TRUTH_FILE, index=False)
    rows = (
        ("enterprises / 企业申请", f"{len(applications):,}"),
        ("counties / 县", f"{applications['county_code'].nunique():,}"),
        ("default rate / 违约率", f"{applications['defaulted'].mean():.2%}"),
        ("households driven / 带动建档立卡户", f"{applications['households_driven'].sum():,}"),
        ("mean requested amount / 平均申请金额", f"{applications['requested_amount'].mean():,.0f} 元 yuan"),
    )
    console.print(_table("Synthetic 强农贷 book / 合成强农贷数据概况", rows))
    console.print(f"written / 已写入: {out / ENTERPRISES_FILE}, {out / TRUTH_FILE}", highlight=False)


def _summary(applications) -> Table:  # noqa: ANN001 - a pandas frame; pandas is imported lazily
    rows = (
        ("households / 农户", f"{len(applications):,}"),
        ("counties / 县", f"{applications['county_code'].nunique():,}"),
        ("villages / 村", f"{applications['village_code'].nunique():,}"),
        ("default rate / 违约率", f"{applications['defaulted'].mean():.2%}"),
        ("illness as main cause / 因病致贫占比", f"{(applications['poverty_cause'] == 'illness').mean():.1%}"),
        ("mean requested amount / 平均申请金额", f"{applications['requested_amount'].mean():,.0f} 元 yuan"),
    )
    return _table("Synthetic registry / 合成数据概况", rows)


def _table(title: str, rows: tuple[tuple[str, str], ...]) -> Table:
    """A generated data set's summary: one row per item, its value right-aligned."""
    table = Table(title=title)
    table.add_column("item / 项目")
    table.add_column("value / 数值", justify="right")
    for item, value in rows:
        table.add_row(item, value)
    return table
