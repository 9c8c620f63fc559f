"""A realistic demo world and load-test data: `liuyan demo-data`.

- `problems`, `phrases`, `places` and `text`: our own generator of message and reply text;
- `world`: the directory (two provinces, boards, units, staff and citizens);
- `schedule`: when messages were written and how far each gets;
- `simulator`, `life`, `steps` and `replies`: the simulated life of each message under the
  lifecycle rules;
- `bulk` and `parallel`: fast inserts, in one process or several; `generate`: putting it together.
"""
