"""`townhall bench`: a load test that starts its own server(s) and prints one JSON document.

Not part of the running service: nothing in the app imports this package. See
docs/performance.md for what it measures and the figures of the last runs.
"""
