"""部门决算: the record entered once, the nine standard tables derived from it, the
identities that transcribed tables are checked with, and the 情况说明 figures."""
