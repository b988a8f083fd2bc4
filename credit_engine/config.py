"""Settings of the engine, read from ``CREDIT_ENGINE_*`` environment variables and an optional config file.

Nothing is read at import: call :func:`load_settings` (entry points do, once). Relative paths resolve against
``home`` (the current directory unless ``CREDIT_ENGINE_HOME`` says otherwise), so the defaults keep everything inside
the project folder: the ledger in ``data/ledger.db``, MLflow tracking in ``mlruns/mlflow.db`` with artifacts under
``mlruns/artifacts``. The standard ``MLFLOW_TRACKING_URI`` is honoured when ``CREDIT_ENGINE_MLFLOW_TRACKING_URI`` is
not set. A config file (YAML or TOML) is taken from ``CREDIT_ENGINE_CONFIG`` or ``credit-engine.yaml`` in ``home``;
environment variables win over it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
    YamlConfigSettingsSource,
)

ENV_PREFIX = "CREDIT_ENGINE_"


def _config_file() -> Path | None:
    explicit = os.environ.get(f"{ENV_PREFIX}CONFIG")
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise FileNotFoundError(f"{ENV_PREFIX}CONFIG points to {path}, which is not a file")
        return path
    home = Path(os.environ.get(f"{ENV_PREFIX}HOME", "."))
    candidate = home / "credit-engine.yaml"
    return candidate if candidate.is_file() else None


class Settings(BaseSettings):
    """Validated settings; build with :func:`load_settings`."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", frozen=True)

    home: Path = Field(default=Path("."), description="Folder that relative paths resolve against.")
    data_dir: Path = Field(default=Path("data"), description="Folder for the SQLite ledger, keys and outputs.")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in data_dir.")
    mlflow_tracking_uri: str | None = Field(default=None, description="MLflow tracking URI.")
    mlflow_artifact_root: Path = Field(default=Path("mlruns/artifacts"), description="Artifact folder.")
    model_name: str = Field(default="household-pd", description="Registered model name for the household PD.")
    enterprise_model_name: str = Field(
        default="enterprise-pd", description="Registered model name for the 强农贷 enterprise PD."
    )
    enterprise_policy_file: Path | None = Field(
        default=None, description="强农贷 rating policy YAML; default: the shipped qiangnong one."
    )
    experiment: str = Field(default="household-rating", description="Default MLflow experiment.")
    policy_file: Path | None = Field(default=None, description="Rating policy YAML; default: the shipped one.")
    pseudonym_secret: SecretStr = Field(
        default=SecretStr("dev-only-pseudonym-secret-change-me"),
        description="Key of the keyed hash that pseudonymises ID numbers.",
    )
    alert_webhook_url: str | None = Field(
        default=None, description="URL that receives each fund's change of status (POST, signed JSON); none: no alerts."
    )
    alert_webhook_secret: SecretStr | None = Field(
        default=None, description="Shared secret of the alert webhook's HMAC-SHA256 signature (required with the URL)."
    )
    alert_check_seconds: float = Field(default=10.0, gt=0, description="How often fund statuses are compared.")
    web_session_hours: float = Field(
        default=8.0, gt=0, le=24 * 30, description="How long a workspace sign-in lasts before it must be renewed."
    )
    config: Path | None = Field(default=None, description="Config file that was read, if any.")

    @model_validator(mode="after")
    def _webhook_is_signed(self) -> Settings:
        if self.alert_webhook_url and self.alert_webhook_secret is None:
            raise ValueError("alert_webhook_secret is required with alert_webhook_url (the alerts are signed)")
        if self.alert_webhook_url and not self.alert_webhook_url.startswith(("http://", "https://")):
            raise ValueError("alert_webhook_url must be an http:// or https:// URL")
        return self

    @model_validator(mode="after")
    def _resolve(self) -> Settings:
        home = self.home.resolve()
        object.__setattr__(self, "home", home)
        for name in ("data_dir", "mlflow_artifact_root"):
            value: Path = getattr(self, name)
            if not value.is_absolute():
                object.__setattr__(self, name, home / value)
        for name in ("policy_file", "enterprise_policy_file"):
            path = getattr(self, name)
            if path is not None and not path.is_absolute():
                object.__setattr__(self, name, home / path)
        if self.database_url is None:
            object.__setattr__(self, "database_url", f"sqlite:///{self.data_dir / 'ledger.db'}")
        if self.mlflow_tracking_uri is None:
            uri = os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{home / 'mlruns' / 'mlflow.db'}"
            object.__setattr__(self, "mlflow_tracking_uri", uri)
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = _config_file()
        if path is not None:
            if path.suffix.lower() == ".toml":
                sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
            else:
                sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=path))
        return tuple(sources)


def load_settings(**overrides: Any) -> Settings:
    """Read the settings now (environment, config file, then ``overrides`` which win)."""
    path = _config_file()
    if path is not None and "config" not in overrides:
        overrides["config"] = path
    return Settings(**overrides)
