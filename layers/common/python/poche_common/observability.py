"""One place for logging and metrics.

Service name (`POWERTOOLS_SERVICE_NAME`, the function's domain), metrics namespace
(`POWERTOOLS_METRICS_NAMESPACE=Poche`) and log level come from the function's environment.

Tracing: functions run with X-Ray active tracing set on the Lambda function itself. The
Powertools Tracer is deliberately not used: importing aws-xray-sdk costs about 0.17 s of cold
start here (1.74x the boto3 floor), which breaks the cold-start budget of every function.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics

logger = Logger()
metrics = Metrics()
