import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("default")


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    """The shipped sample year run once through `xxgk report`, then `xxgk render --all-units`:
    the report command's result and the Paths (outputs in a temp folder)."""
    from typer.testing import CliRunner

    from pipeline.cli import app
    from pipeline.paths import Paths
    from tests.helpers import SAMPLE_RAW

    out = tmp_path_factory.mktemp("sample_output")
    args = ["--year", "2023", "--raw", str(SAMPLE_RAW), "--out", str(out)]
    result = CliRunner().invoke(app, ["report", *args])
    units = CliRunner().invoke(app, ["render", "--all-units", *args])
    assert units.exit_code == 0, units.stderr
    return result, Paths(SAMPLE_RAW, out, 2023)


@pytest.fixture(scope="session")
def sample_year(sample_run):
    """The Paths of the sample year's outputs, the report having been written."""
    result, paths = sample_run
    assert result.exit_code == 0, result.stderr
    return paths
