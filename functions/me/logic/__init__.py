"""The personal API's rules, one module per concern, over the ports of `ports.py` and an injected clock: no HTTP,
no boto3, no environment. The handler's routes read the request, call one function here and answer."""
