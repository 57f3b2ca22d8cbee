"""The CI classes every organisation starts with (cmdb.services.install_default_classes).
Administrators add attributes to them, or new classes, on the CI classes pages."""

from __future__ import annotations

from borough.cmdb import rules


def _a(name, label, kind="text", *, required=False, choices=(), help=""):  # noqa: A002
    return {"name": name, "label": label, "type": kind, "required": required,
            "choices": list(choices), "help": help}


OPERATING_SYSTEM = _a("operating_system", "Operating system")
IP_ADDRESS = _a("ip_address", "IP address", "ip_address")
SERIAL = _a("serial_number", "Serial number")
MANUFACTURER = _a("manufacturer", "Manufacturer")
MODEL = _a("model", "Model")
WARRANTY = _a("warranty_ends", "Warranty ends", "date")

# The owner field is the business owner and service_unit the owning service unit; these
# are what a systems return adds (cmdb/importers.py). A migration gives them to
# application classes made before they were shipped.
RETURN_ATTRIBUTES = [
    _a("supplier", "Supplier", help="Who supplies and maintains it under contract"),
    _a("supplier_support", "Supplier support",
       help="What the supplier's support covers: hours, response times, how to call them"),
    _a("data_held", "Data held",
       help="The information it holds, for example council tax accounts or case files"),
]
APPLICATION_ATTRIBUTES = [
    _a("version", "Version"), _a("vendor", "Vendor"),
    _a("number_of_users", "Number of users", "integer"),
    _a("hosting", "Hosting", "choice", choices=(
        "On premises", "Supplier hosted", "Software as a service", "Public cloud")),
    _a("url", "Web address"),
    *RETURN_ATTRIBUTES,
]

DEFAULT_CLASSES = [
    (rules.PHYSICAL_SERVER, "Physical server", "A server in a computer room.", [
        _a("hostname", "Host name", required=True), OPERATING_SYSTEM,
        _a("cpu_cores", "CPU cores", "integer"), _a("memory_gb", "Memory (GB)", "decimal"),
        IP_ADDRESS, MANUFACTURER, MODEL, SERIAL, WARRANTY,
        _a("rack_position", "Rack position")]),
    (rules.VIRTUAL_SERVER, "Virtual server", "A virtual machine on a host or cluster.", [
        _a("hostname", "Host name", required=True), OPERATING_SYSTEM,
        _a("cpu_cores", "Virtual CPUs", "integer"), _a("memory_gb", "Memory (GB)", "decimal"),
        IP_ADDRESS]),
    (rules.NETWORK_DEVICE, "Network device", "A switch, router, firewall or access point.", [
        _a("device_type", "Device type", "choice", choices=(
            "Switch", "Router", "Firewall", "Wireless access point", "Load balancer")),
        IP_ADDRESS, MANUFACTURER, MODEL, SERIAL, _a("firmware_version", "Firmware version")]),
    (rules.NETWORK_LINK, "Network link", "A circuit between sites, or to the internet.", [
        _a("bandwidth_mbps", "Bandwidth (Mbps)", "integer", required=True),
        _a("provider", "Provider"), _a("circuit_reference", "Circuit reference"),
        _a("contract_ends", "Contract ends", "date")]),
    (rules.STORAGE, "Storage", "A storage array, NAS or backup target.", [
        _a("capacity_tb", "Capacity (TB)", "decimal"), MANUFACTURER, MODEL, SERIAL,
        IP_ADDRESS]),
    (rules.DATABASE, "Database", "A database or database instance.", [
        _a("engine", "Engine", help="For example SQL Server 2019 or PostgreSQL 16"),
        _a("instance_name", "Instance name"), _a("size_gb", "Size (GB)", "decimal")]),
    (rules.APPLICATION, "Application", "A software system the council uses.",
     APPLICATION_ATTRIBUTES),
    (rules.INTERFACE, "Interface", "A connection that passes data between applications.", [
        _a("method", "Method", "choice", choices=(
            "File transfer", "Web service", "Database link", "Message queue", "Manual")),
        _a("frequency", "Frequency", help="For example nightly, or real time")]),
    (rules.END_USER_DEVICE, "End-user device", "A desktop, laptop, tablet or phone.", [
        _a("device_type", "Device type", "choice", choices=(
            "Desktop", "Laptop", "Tablet", "Mobile phone", "Thin client")),
        _a("hostname", "Host name"), _a("asset_tag", "Asset tag"), SERIAL, OPERATING_SYSTEM,
        MANUFACTURER, MODEL, WARRANTY]),
    (rules.TELEPHONY, "Telephony", "A telephone system, gateway or contact centre platform.", [
        _a("extensions", "Number of extensions", "integer"), _a("provider", "Provider"),
        IP_ADDRESS]),
    (rules.STANDARD_BUILD, "Standard build", "The standard image installed on devices.", [
        _a("build_version", "Build version", required=True), OPERATING_SYSTEM,
        _a("released_on", "Released on", "date")]),
]
