"""The figures of the drought simulation (issue 12 §4), read from what the console commands wrote.

``monitor``'s JSON gives the stability of each feature and the PD (overall, over the drought year's cohorts), the
stability of each county against its own reference (the drought features it flags) and the
calibration of each county (realised default rate of the matured loans vs the mean PD the champion predicted);
``retrain``'s report gives the gate's table (the stale champion and the challenger on the same out-of-time
vintages); :func:`training.simulation.score_unserved` gives both models on the drought year's applications that
were never served. :func:`summarise` puts them side by side, grouped shocked / unshocked;
:func:`markdown` writes them for people (bench/RESULTS.md).
"""

from __future__ import annotations

from typing import Any

from credit_engine.monitoring.policy import NOT_JUDGED, worst

DROUGHT_FEATURES = ("annual_net_income", "income_per_capita", "total_liabilities", "debt_to_assets", "loan_to_income")
GROWTH_FEATURES = ("ecommerce_sales",)
FLAGGED = ("watch", "act")


def stability(monitoring: dict) -> dict[str, dict[str, Any]]:
    """PSI of the PD and CSI of every feature over every cohort monitored: ``{variable: {value, status}}``."""
    return {
        row["variable"]: {"value": row["value"], "status": row["status"]}
        for row in monitoring["sections"]["stability"]
        if row["cohort"] == "all"
    }


def county_stability(monitoring: dict, shocked: frozenset[str]) -> dict[str, dict[str, Any]]:
    """Per county of the stability-by-county table: its group, the PSI of its PD, its status (worst of its rows)
    and the drought features it flags (``{feature: CSI}`` at watch or act)."""
    counties: dict[str, dict[str, Any]] = {}
    for row in monitoring["sections"].get("by_county", []):
        county = counties.setdefault(row["county"], {
            "group": "shocked" if row["county"] in shocked else "unshocked", "pd_psi": None, "statuses": set(),
            "drought_flagged": {},
        })  # fmt: skip
        county["statuses"].add(row["status"])
        if row["variable"] == "pd":
            county["pd_psi"] = row["value"]
        elif row["variable"] in DROUGHT_FEATURES and row["status"] in FLAGGED:
            county["drought_flagged"][row["variable"]] = row["value"]
    for county in counties.values():
        statuses = county.pop("statuses")
        county["status"] = worst(statuses) if statuses - {NOT_JUDGED} else NOT_JUDGED
    return counties


def county_calibration(monitoring: dict, shocked: frozenset[str]) -> dict[str, dict[str, Any]]:
    """Per county: its group, matured loans, realised rate, mean PD, gap and the monitor's calibration status."""
    rows = {}
    for row in monitoring["sections"]["fairness"]:
        if row["dimension"] != "county_code":
            continue
        rows[row["group"]] = {
            "group": "shocked" if row["group"] in shocked else "unshocked",
            "matured_loans": row["matured_loans"],
            "realised_rate": row["realised_rate"],
            "predicted_pd": row["predicted_pd"],
            "calibration_gap": row["calibration_gap"],
            "status": row["calibration_status"],
        }
    return rows


def group_calibration(counties: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The counties' calibration pooled by group (loans-weighted): loans, realised rate, mean PD, gap, statuses."""
    pooled = {}
    for group in ("shocked", "unshocked"):
        members = [row for row in counties.values() if row["group"] == group and row["matured_loans"]]
        loans = sum(row["matured_loans"] for row in members)
        realised = sum(row["realised_rate"] * row["matured_loans"] for row in members) / loans if loans else None
        predicted = sum(row["predicted_pd"] * row["matured_loans"] for row in members) / loans if loans else None
        pooled[group] = {
            "counties": len(members),
            "matured_loans": loans,
            "realised_rate": realised,
            "predicted_pd": predicted,
            "calibration_gap": None if loans == 0 else realised - predicted,
            "statuses": sorted({row["status"] for row in members}),
        }
    return pooled


def gate(retrain: dict) -> dict[str, dict[str, Any]]:
    """The gate's rows by criterion: champion, challenger, status (and the holdout's loans and bads)."""
    return {row["criterion"]: row for row in retrain["gate"]["rows"]}


def summarise(world_facts: dict, monitoring: dict, retrain: dict, unserved: dict, shocked: frozenset[str]) -> dict:
    """Everything the bench reports and the slow test checks, in one document."""
    counties = county_calibration(monitoring, shocked)
    return {
        "world": world_facts,
        "monitor": {
            "status": monitoring["status"],
            "counts": monitoring["counts"],
            "stability": stability(monitoring),
            "stability_by_county": county_stability(monitoring, shocked),
            "calibration_by_county": counties,
            "calibration_by_group": group_calibration(counties),
        },
        "retrain": {
            "decision": retrain["decision"],
            "champion_before": retrain["champion_before"],
            "champion_after": retrain["champion_after"],
            "version": retrain["version"],
            "training_set": retrain["training_set"],
            "gate": gate(retrain),
            "recalibration": recalibration(retrain, shocked),
        },
        "unserved": unserved,
    }


def recalibration(retrain: dict, shocked: frozenset[str]) -> list[dict[str, Any]]:
    """The challenger's offset per county (with its group), when it was trained and recalibrated by this run."""
    terms = (retrain.get("training") or {}).get("recalibration") or {}
    group = {True: "shocked", False: "unshocked"}
    return [{**row, "group": group[row["county_code"] in shocked]} for row in terms.get("counties", [])]


def recalibration_lines(rows: list[dict[str, Any]], vintages: list[str]) -> list[str]:
    """The recalibration table for people (nothing without one)."""
    if not rows:
        return []
    lines = [f"**Recalibration by county** (`retrain`, the challenger's offsets learnt on the matured loans of "
             f"{vintages[0]} – {vintages[-1]}, never trained on; raise-only):", "",
             "| county | group | loans | bads | model's mean PD | realised | fitted offset | applied | recalibrated |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for row in sorted(rows, key=lambda r: (r["group"], r["county_code"])):
        rates = f"{_pct(row['model_mean_pd'])} | {_pct(row['realised_default_rate'])}"
        moved = f"{row['fitted_offset']:+.2f} | {row['offset']:+.2f} | {_pct(row['recalibrated_mean_pd'])}"
        lines.append(f"| {row['county_code']} | {row['group']} | {row['loans']} | {row['bads']} | {rates} | {moved} |")
    return [*lines, ""]


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.2f} %"


def county_stability_lines(counties: dict[str, dict[str, Any]]) -> list[str]:
    """The stability-by-county table for people (nothing when the profile had no county shares)."""
    if not counties:
        return []
    lines = ["**Stability by county** (`monitor`, each county's 2025 assessments against its own training shares):",
             "", "| county | group | PSI of the PD | drought features at watch or act (CSI) | status |",
             "|---|---|---:|---|---|"]  # fmt: skip
    for county, row in sorted(counties.items(), key=lambda item: (item[1]["group"], item[0])):
        flagged = ", ".join(f"{name} {value:.3f}" for name, value in row["drought_flagged"].items()) or "none"
        psi = "–" if row["pd_psi"] is None else f"{row['pd_psi']:.3f}"
        lines.append(f"| {county} | {row['group']} | {psi} | {flagged} | {row['status']} |")
    return [*lines, ""]


def markdown(summary: dict, command: str) -> str:
    """The results as the bench's Markdown section."""
    world, monitor, retrain, unserved = summary["world"], summary["monitor"], summary["retrain"], summary["unserved"]
    lines = [f"Command: `{command}`", "", f"World: {world['description']}.", ""]
    lines += ["**Stability** (`monitor`, every 2025 cohort against the champion's training profile):", "",
              "| variable | PSI / CSI | status |", "|---|---:|---|"]  # fmt: skip
    shown = ("pd", *GROWTH_FEATURES, *DROUGHT_FEATURES)
    for name in shown:
        row = monitor["stability"][name]
        lines.append(f"| {name} | {row['value']:.3f} | {row['status']} |")
    others = [n for n, r in monitor["stability"].items() if n not in shown and r["status"] in FLAGGED]
    lines += ["", f"Other features at watch or act: {', '.join(others) or 'none'}.", ""]
    lines += county_stability_lines(monitor.get("stability_by_county", {}))
    lines += ["**Calibration by county** (`monitor`, the stale champion on the 2025 loans, matured):", "",
              "| county | group | matured loans | realised | predicted | gap | status |",
              "|---|---|---:|---:|---:|---:|---|"]  # fmt: skip
    for county, row in sorted(monitor["calibration_by_county"].items(), key=lambda item: item[1]["group"]):
        lines.append(f"| {county} | {row['group']} | {row['matured_loans']} | {_pct(row['realised_rate'])} | "
                     f"{_pct(row['predicted_pd'])} | {_pct(row['calibration_gap'])} | {row['status']} |")  # fmt: skip
    lines += ["", "**Before and after, by county group** (calibration gap = realised − mean PD):", "",
              "| group | stale champion, served 2025 loans (monitor) | stale champion, unserved 2025 applications | "
              "retrained, unserved 2025 applications |", "|---|---:|---:|---:|"]  # fmt: skip
    stale, fresh = unserved["models"]["stale"], unserved["models"]["retrained"]
    for group in ("shocked", "unshocked"):
        served = monitor["calibration_by_group"][group]
        lines.append(f"| {group} | {_pct(served['calibration_gap'])} ({served['matured_loans']} loans) | "
                     f"{_pct(stale['by_group'][group]['calibration_gap'])} | "
                     f"{_pct(fresh['by_group'][group]['calibration_gap'])} "
                     f"({fresh['by_group'][group]['rows']} applications) |")  # fmt: skip
    lines += ["", *recalibration_lines(retrain.get("recalibration", []),
                                       retrain["training_set"].get("recalibration_vintages", []))]  # fmt: skip
    lines += ["**Stale vs retrained on 2025** (AUC):", "",
              "| rows | stale champion | retrained | generator's truth (Bayes) |", "|---|---:|---:|---:|"]  # fmt: skip
    rows = retrain["gate"]
    lines.append(f"| gate's out-of-time vintages {', '.join(retrain['training_set']['holdout_vintages'])} "
                 f"({rows['evidence']['loans']} loans, {rows['evidence']['bads']} bads) | "
                 f"{rows['auc']['champion']:.3f} | {rows['auc']['challenger']:.3f} | – |")  # fmt: skip
    lines.append(f"| unserved 2025 applications {unserved['from']} – {unserved['to']} ({unserved['rows']}) | "
                 f"{stale['auc']:.3f} | {fresh['auc']:.3f} | {unserved['bayes_auc']:.3f} |")  # fmt: skip
    gaps = rows["calibration_gap"]
    lines += ["", f"Gate: {retrain['decision']} (champion {retrain['champion_before']} → {retrain['champion_after']}); "
              f"worst decile calibration gap on the gate's vintages: champion {_pct(gaps['champion'])}, "
              f"challenger {_pct(gaps['challenger'])}."]  # fmt: skip
    lines += ["", "Timings (seconds): " + ", ".join(f"{k} {v:.0f}" for k, v in world["seconds"].items()) + "."]
    return "\n".join(lines) + "\n"
