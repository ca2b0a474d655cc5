"""CanIPost: social-media policy guidance for officers, in Slack."""

import os

# One BLAS thread: on two cores a second thread per matrix product made the judge's p95
# jump whenever anything else ran (bench/). Set before numpy is first imported.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

__version__ = "0.1.0"
