"""A realistic demo world and load-test data: `liuyan demo-data`.

- `text` and `problems`: our own generator of message and reply text;
- `world`: the directory (two provinces, boards, units, staff and citizens);
- `history`: the simulated life of each message under the lifecycle rules;
- `bulk`: fast inserts; `generate`: putting it together.
"""
