"""Statistics by sex for people who decide about the programme, without giving anyone away.

The pure core: tables of counts (`tables`), small-cell suppression so that no published figure
lets a small count be worked out (`disclosure`), and exports that spreadsheets cannot turn into
formulas (`writers`). No Flask, no database: services build the tables and hand them in.
"""
