"""The skills taxonomy: plain values, loaders of its sources and the fuzzy resolver."""
