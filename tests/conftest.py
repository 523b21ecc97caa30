import os

import matplotlib
from hypothesis import settings

matplotlib.use("Agg")

#: Shrink statistical tests when ONLINELEARN_QUICK=1 is set (CI does); thresholds stay valid.
QUICK = os.environ.get("ONLINELEARN_QUICK", "0") == "1"

# Property tests draw the same examples on every run (CI and local), so a failure is reproducible
# and main cannot turn red by chance; HYPOTHESIS_PROFILE=explore searches with fresh random examples.
settings.register_profile("deterministic", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))
