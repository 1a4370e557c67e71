"""The centre's numbers (/stats): KPIs across features, read from the models only."""
