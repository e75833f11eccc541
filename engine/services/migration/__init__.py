"""Instance migration (docs/migration.md): move running cases of one version of a process to
another with an element mapping, validated before anything changes, all or nothing per case."""
from engine.domain.migration import MigrationProblem, MigrationRefused
from engine.services.migration.cases import (
    CaseOutcome,
    MigrationReport,
    MigrationRequest,
    check_plan,
    execute,
    generate,
    validate,
)

__all__ = ["CaseOutcome", "MigrationProblem", "MigrationRefused", "MigrationReport", "MigrationRequest", "check_plan",
           "execute", "generate", "validate"]
