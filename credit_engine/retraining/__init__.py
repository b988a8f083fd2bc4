"""Retraining (模型重训): the versioned retraining policy, the training set from matured outcomes weighted by
recency, and the promotion gate on the most recent matured vintages out of time — pure functions; the MLflow side
is ``training/retrain_job.py``."""
