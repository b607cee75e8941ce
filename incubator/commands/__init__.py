"""Our CLI commands, one module per job; `incubator.cli.register_commands` attaches them."""
