"""Code shared by the payments functions (service, notification processor, sweeper, finance, debts connector)."""
