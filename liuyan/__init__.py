"""liuyan: a government leader message board (领导留言板)."""
