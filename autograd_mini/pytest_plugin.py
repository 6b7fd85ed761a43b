"""pytest plugin (registered as an entry point): a failing test shows its gradcheck tables.

pytest prints `assert gradcheck(...)` failures with a one-line repr; this adds a
"gradcheck report" section with the full per-input table and the op it blames."""
import pytest

from . import gradient_check


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    gradient_check._failed_reports.clear()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed and gradient_check._failed_reports:
        text = "\n\n".join(str(r) for r in gradient_check._failed_reports)
        report.sections.append(("gradcheck report", text))
