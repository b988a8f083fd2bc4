from training.families import SCORECARD_PREFERENCE_AUC, choose


def test_the_best_auc_wins_when_clearly_ahead():
    assert choose({"lightgbm": 0.88, "scorecard": 0.87}) == "lightgbm"
    assert choose({"lightgbm": 0.80, "scorecard": 0.85}) == "scorecard"


def test_the_printable_scorecard_wins_a_near_tie():
    assert choose({"lightgbm": 0.85 + SCORECARD_PREFERENCE_AUC / 2, "scorecard": 0.85}) == "scorecard"


def test_without_a_scorecard_the_best_wins():
    assert choose({"lightgbm": 0.8}) == "lightgbm"


def test_small_data_lightgbm_parameters_sit_beneath_the_jobs_own():
    from training.families import SMALL_DATA_LIGHTGBM, SMALL_DATA_ROWS, default_params

    small = default_params(800, {"lightgbm": {"num_leaves": 8}, "scorecard": {"C": 0.3}})
    assert small["lightgbm"] == {**SMALL_DATA_LIGHTGBM, "num_leaves": 8}
    assert small["scorecard"] == {"C": 0.3}
    assert default_params(SMALL_DATA_ROWS - 1, None) == {"lightgbm": SMALL_DATA_LIGHTGBM}
    assert default_params(SMALL_DATA_ROWS, {"lightgbm": {"num_leaves": 8}}) == {"lightgbm": {"num_leaves": 8}}
    assert default_params(SMALL_DATA_ROWS, None) == {}


def test_a_blend_among_small_data_families_stacks_three_parts_with_their_parameters():
    from training.families import blend_parts, family_params

    parts = blend_parts(("lightgbm", "scorecard", "linear", "blend"))
    params = family_params("blend", {"linear": {"C": 0.1}, "lightgbm": {"num_leaves": 4}}, parts)

    assert parts == ("scorecard", "lightgbm", "linear")
    assert params["parts"] == parts
    assert params["linear_params"] == {"C": 0.1} and params["lightgbm_params"] == {"num_leaves": 4}
    assert params["scorecard_params"] is None
    assert blend_parts(("lightgbm", "scorecard", "blend")) == ("scorecard", "lightgbm")
