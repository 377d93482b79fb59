"""What to do: exercises, routines, red flags, stop rules and education as data, plus pure rules.

Imports neither telegram nor sqlalchemy.
"""
