from training.families import SCORECARD_PREFERENCE_AUC, choose


def test_the_best_auc_wins_when_clearly_ahead():
    assert choose({"lightgbm": 0.88, "scorecard": 0.87}) == "lightgbm"
    assert choose({"lightgbm": 0.80, "scorecard": 0.85}) == "scorecard"


def test_the_printable_scorecard_wins_a_near_tie():
    assert choose({"lightgbm": 0.85 + SCORECARD_PREFERENCE_AUC / 2, "scorecard": 0.85}) == "scorecard"


def test_without_a_scorecard_the_best_wins():
    assert choose({"lightgbm": 0.8}) == "lightgbm"
