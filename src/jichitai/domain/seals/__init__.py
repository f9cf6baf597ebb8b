"""印鑑登録 (seal registration): who may register a seal, what size it must be, and how a
registration ends."""
