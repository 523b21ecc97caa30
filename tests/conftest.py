import os

import matplotlib

matplotlib.use("Agg")

#: Shrink statistical tests when ONLINELEARN_QUICK=1 is set (CI does); thresholds stay valid.
QUICK = os.environ.get("ONLINELEARN_QUICK", "0") == "1"
