"""Links with the national systems (住基ネット's CS …): the messages, as pure values."""
