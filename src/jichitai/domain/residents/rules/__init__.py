"""The processing rules of 異動 (standard chapter 3 §4), one module per process.

Each planner takes one command and returns a ``ChangePlan`` (new snapshots) or records its
refusals in the ``Checks`` bag; ``changes.plan_change`` is the one entry point that runs the
common checks around it, and ``change_types.py`` says which planner a command has.
Processes: ``entries`` (転入, 出生, 職権記載), ``removals`` (転出, 転入通知, 死亡, 職権消除),
``moves`` (転居), ``households`` (世帯分離・合併・変更, 世帯主変更), ``corrections`` (修正),
``nationality`` (帰化, 国籍喪失), ``reissue`` (改製・再製), ``cancellation`` (異動の取消し).
Checks several processes share: ``checks`` (the bag), ``dates`` (異動日, 届出期間, the "as of"
order), ``persons`` (who a change is about and their items), ``heads`` (世帯主 rules).
"""
