"""What happened: tables, migrations and query functions. Imports neither telegram nor bot."""
