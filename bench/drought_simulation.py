"""The drought production simulation (issue 12 §4): drift detected by ``monitor``, recovered by ``retrain``.

One seeded command plays production (:mod:`training.simulation`): the generator's registry with the drought scenario
→ a champion trained on the applications before 2024 by the training job → the 2024 and 2025 applications (to
2025-09-30) assessed through the scoring API in-process (one audit entry each) → the approved loans booked through
the API's event file route, bad or good as the generator's truth drew them → ``credit-engine outcomes build``,
``monitor`` and ``retrain`` as console commands at 2026-10-31, when every served vintage has matured. It reports the
PSI / CSI per feature, the calibration per county (shocked vs unshocked) of the stale champion, the gate's table, and
both models on the 2025 applications never served (out of time for both): AUC and calibration per county group.

    .venv/bin/python bench/drought_simulation.py                       # 40,000 households, 12 counties
    .venv/bin/python bench/drought_simulation.py --households 10000 --counties 6 --families lightgbm

Writes ``bench/results/drought_simulation.json`` and ``.md`` (``--home`` keeps the world: ledger, MLflow store,
``out/monitoring.html``).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from training.simulation import SimulationConfig, build_world, run_loop, score_unserved  # noqa: E402
from training.simulation_figures import markdown, summarise  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=40_000, help="applications 2021-2024 (2025: a quarter)")
    parser.add_argument("--counties", type=int, default=12)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--families", nargs="*", default=None, help="families of the champion and the retraining")
    parser.add_argument("--home", type=Path, default=None, help="keep the world here (default: a temporary folder)")
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL of an empty, migrated database")
    parser.add_argument("--results", type=Path, default=RESULTS)
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    families = tuple(args.families) if args.families else None
    config = SimulationConfig(households=args.households, counties=args.counties, seed=args.seed, families=families,
                              retrain_families=families or ())  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="drought-") as scratch:
        home = args.home or Path(scratch)
        started = time.perf_counter()
        world = build_world(config, home, args.database_url, on_step=lambda step: print(f"== {step}", flush=True))
        built = time.perf_counter() - started
        print(f"== the learning loop as console commands / 学习闭环 ({world.assessments.shape[0]} assessments)")
        loop = run_loop(world)
        for name, code in loop.exit_codes.items():
            print(f"   {name}: exit {code} in {loop.seconds[name]:.0f} s")
            if code not in (0, 3, 4):
                raise SystemExit(f"{name} failed:\n{loop.outputs[name][-3000:]}")
        versions = {"stale": world.champion_version, "retrained": loop.retrain["version"]}
        unserved = score_unserved(world, versions)
        total = time.perf_counter() - started
    facts = _facts(world, config, loop, {"build_world": built, **loop.seconds, "total": total})
    summary = summarise(facts, loop.monitoring, loop.retrain, unserved, world.shocked)
    command = "python bench/drought_simulation.py" + "".join(f" {a}" for a in sys.argv[1:])
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "drought_simulation.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    text = markdown(summary, command)
    (args.results / "drought_simulation.md").write_text(text, encoding="utf-8")
    print(text)


def _facts(world, config: SimulationConfig, loop, seconds: dict[str, float]) -> dict:  # noqa: ANN001
    decisions = world.assessments["decision"].value_counts().to_dict()
    n_2025 = int((world.registry["application_date"].dt.year == config.scenario.year).sum())
    description = (
        f"{config.households:,} households 2021–2024 and {n_2025:,} in 2025 in {config.counties} counties "
        f"(seed {config.seed}; drought in {', '.join(sorted(world.shocked))}); champion trained on "
        f"{int((world.registry['application_date'] < str(config.train_before)).sum()):,} applications before "
        f"{config.train_before}; {len(world.assessments):,} applications {config.served_from} – "
        f"{config.served_until} assessed through the API ({', '.join(f'{k} {v:,}' for k, v in decisions.items())}), "
        f"{world.events['posted']:,} ledger events; commands at {config.as_of}"
    )
    return {
        "description": description,
        "seed": config.seed,
        "households": config.households,
        "counties": config.counties,
        "shocked_counties": sorted(world.shocked),
        "decisions": decisions,
        "ledger_events": world.events,
        "exit_codes": loop.exit_codes,
        "seconds": {name: round(value, 1) for name, value in seconds.items()},
    }


if __name__ == "__main__":
    main()
