"""jichitai: the standard resident register (住民記録システム) for Japanese municipalities."""
