"""Model monitoring (模型监控): stability, performance, fairness and policy figures of the assessments since a model
was registered, each judged green / watch / act under a versioned policy. Pure computations; no MLflow, no SQL."""
