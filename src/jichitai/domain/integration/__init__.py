"""Integration with other business systems (他業務連携, standard §7.2.3 (1190)): who may receive
which items, how a change is shown to them, and how a delivery is signed and retried."""
