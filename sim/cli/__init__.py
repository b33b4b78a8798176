"""The command line: thin typer commands over the library, errors mapped to exit codes."""
