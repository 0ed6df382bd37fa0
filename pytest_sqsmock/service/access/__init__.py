"""Access control: callers, queue policies and the IAM policy language they use."""
