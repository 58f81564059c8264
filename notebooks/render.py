"""Execute the notebooks and write HTML copies for people who only want to read the results.

    python notebooks/render.py                 # all notebooks, full training data, into runs/notebooks/
    python notebooks/render.py --small-data    # on the project's own sample archive (seconds)

Outputs (executed notebooks, HTML pages, the trained model) go to the gitignored runs/notebooks/.
"""

import sys

from training.notebooks import main

if __name__ == "__main__":
    sys.exit(main())
