import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("default")


@pytest.fixture(scope="session")
def sample_year(tmp_path_factory):
    """The shipped sample year run once through `xxgk report`: its Paths (outputs in a temp folder)."""
    from typer.testing import CliRunner

    from pipeline.cli import app
    from pipeline.paths import Paths
    from tests.helpers import SAMPLE_RAW

    out = tmp_path_factory.mktemp("sample_output")
    args = ["--year", "2023", "--raw", str(SAMPLE_RAW), "--out", str(out)]
    result = CliRunner().invoke(app, ["report", *args])
    assert result.exit_code == 0, result.stderr
    return Paths(SAMPLE_RAW, out, 2023)
