"""Telephony (CTI) integration, vendor-neutral: click-to-dial, screen pop, call events."""
