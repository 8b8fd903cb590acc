"""Service `communes`: the département's communes, reference data (GET /v1/communes...)."""
