#!/usr/bin/env bash
# Runs the wheel's column functions in a real PySpark job (local mode):
# installs Debian's Java 17 when there is no java, PySpark and pandas pinned
# with their checksums (crates/python/requirements-spark.txt) into
# .cache/pyspark-venv, and the wheel scripts/python-wheel.sh built (it is
# built first when missing); then crates/python/spark-tests against the
# model scripts/setup.sh built.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v java >/dev/null; then
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless
fi
ls target/wheels/unspin-0.1.0-*.whl >/dev/null 2>&1 || scripts/python-wheel.sh
venv=.cache/pyspark-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --require-hashes -r crates/python/requirements-spark.txt
"$venv/bin/pip" install -q --force-reinstall --no-deps target/wheels/unspin-0.1.0-*.whl
# The worker processes run the same Python, where the wheel is installed.
export PYSPARK_PYTHON="$PWD/$venv/bin/python" PYSPARK_DRIVER_PYTHON="$PWD/$venv/bin/python"
UNSPIN_MODEL="${UNSPIN_MODEL:-$PWD/model}" "$venv/bin/python" -W ignore::FutureWarning -m unittest discover -s crates/python/spark-tests -v
