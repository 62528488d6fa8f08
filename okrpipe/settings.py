"""Settings: command-line flags override ``OKRPIPE_*`` environment variables override defaults."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from okrpipe.errors import UsageError


class Settings(BaseSettings):
    """Where okrpipe keeps its data and how strict ingestion is.

    Every field can be set from the environment, e.g. ``OKRPIPE_DB=/data/okr.duckdb`` or
    ``OKRPIPE_MAX_REJECT_FRACTION=0.2``.
    """

    model_config = SettingsConfigDict(env_prefix="OKRPIPE_", extra="ignore")

    db: Path = Field(default=Path("okr.duckdb"), description="The pipeline's DuckDB file.")
    definitions: Path = Field(default=Path("okrs.yaml"), description="The okrs.yaml file.")
    inbox: Path = Field(
        default=Path("inbox"),
        description="The folder the pipeline flow takes new files from when given none.",
    )
    max_reject_fraction: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="A batch with a larger fraction of rejected rows is rejected whole.",
    )
    lock_timeout: float = Field(
        default=60.0,
        ge=0.0,
        description="Seconds a writer waits for another writer of the same file to finish.",
    )
    memory_limit: str = Field(
        default="1GB", description="DuckDB memory limit; larger work spills to <db>.tmp/."
    )
    threads: int = Field(default=0, ge=0, description="DuckDB threads; 0 means all cores.")
    suite: Path | None = Field(
        default=None,
        description="An expectation suite JSON to validate with instead of the shipped one.",
    )
    data_docs: bool = Field(
        default=False, description="Also write Great Expectations Data Docs to <db>.gx/."
    )


def settings_with(origin: str, **overrides: object) -> Settings:
    """``OKRPIPE_*`` settings with the ``overrides`` that were given (None and "" were not).

    A bad value fails with one line naming the setting, ``origin`` (where overrides come
    from, e.g. "flag") and its environment variable."""
    given = {key: value for key, value in overrides.items() if value is not None and value != ""}
    try:
        return Settings(**given)  # type: ignore[arg-type]
    except ValidationError as exc:
        problem = exc.errors()[0]
        field = ".".join(str(part) for part in problem["loc"])
        raise UsageError(
            f"setting {field} ({origin} or OKRPIPE_{field.upper()}): {problem['msg']}"
        ) from None


def companion_paths(db: Path) -> dict[str, Path]:
    """The files okrpipe keeps beside the database file, by role."""
    stem = db.name.removesuffix(".duckdb") if db.name.endswith(".duckdb") else db.name
    return {
        "lock": db.with_name(db.name + ".lock"),
        "tmp": db.with_name(db.name + ".tmp"),
        "serving": db.with_name(stem + ".serving.duckdb"),
        "data_docs": db.with_name(stem + ".gx"),
    }
