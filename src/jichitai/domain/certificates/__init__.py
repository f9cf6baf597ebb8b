"""Certificates (住民票の写し, 記載事項証明書, 印鑑登録証明書 …): issue numbers and the
verification code printed on each copy."""
