"""prieto25's checks, one module per family: ``collapse`` (SC1, SC2, SC2b, NLM1) and
``fixes`` (SM1, OG1c); ``common`` holds what they share."""
