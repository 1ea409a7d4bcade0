"""Documents issued from a ticket: quarantine certificates and test prescriptions."""
