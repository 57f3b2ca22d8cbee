"""Discovery from the directory: servers and end-user devices read from Active Directory
(or any LDAP directory) computer objects and reconciled with the CMDB (docs/cmdb.md,
"Discovery from the directory").

    directory.py   reading computer objects over LDAP, in pages (python-ldap, optional)
    reconcile.py   matching them with configuration items and writing the differences
    services.py    runs: asking for one, doing it, the periodic job
"""
