"""Call lists: campaigns and the call orders agents claim one at a time."""
