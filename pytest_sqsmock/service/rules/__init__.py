"""Parameter rules: what SQS accepts in each parameter, and AWS's exact errors when it does not."""
