"""Finance staff's day in the Payments phase, pure: the daily journal of the payments received (`journal`), the
accountant's statement of PayFiP receipts as uploaded (`statement`) and the reconciliation of the two
(`reconcile`). No I/O, no boto3, no clock: the handler reads the ledger and passes the items in."""
