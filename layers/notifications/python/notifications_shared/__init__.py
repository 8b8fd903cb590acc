"""Code shared by the notification functions (the sender and the deferred pushes): SNS mobile push."""
