"""power22's checks, one module per claim family."""
