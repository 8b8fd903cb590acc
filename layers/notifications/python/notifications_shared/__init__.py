"""Code shared by the notification functions (the sender and the deferred pushes): the push port (`ports`) and its
SNS mobile push adapter (`push`); and the delivery queue's message (`delivery`), which the matcher builds."""
