"""The matcher: scores, explanations and proposals. Pure Python + numpy/scipy/OR-Tools."""
