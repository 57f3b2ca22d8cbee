"""Bounded inspection of ZIP archives before anything unpacks them (SECURITY.md rule 19).

Office files (.docx, .xlsx, .pptx, .odt, .ods) are ZIP archives. A "zip bomb" — a few
kilobytes that unpack to gigabytes, or a hundred thousand tiny members — exhausts memory
or disk when openpyxl, a virus scanner or a person's desktop unpacks it. `inspect_zip`
reads only the archive's central directory (the table of contents at its end; nothing is
decompressed) and refuses, with a message a person can act on:

- more members than `ARCHIVE_MAX_MEMBERS`;
- more than `ARCHIVE_MAX_UNPACKED_BYTES` in total once unpacked;
- a member larger than `ARCHIVE_RATIO_MIN_BYTES` that unpacks to more than
  `ARCHIVE_MAX_RATIO` times its compressed size;
- archives inside the archive (by name), except office documents embedded in an office
  document (`…/embeddings/…`, as Word keeps a chart's data), which count towards the
  limits above and which Borough never opens;
- member names that are absolute, climb out with `..`, name a drive or hold control
  characters.

The sizes checked are those the central directory declares. A forged directory that
understates them cannot harm Borough itself: openpyxl reads members through zipfile,
which stops with an error when a member unpacks past its declared size.
"""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat

# Members smaller than this are not held to the ratio: tiny XML parts compress very well.
ARCHIVE_RATIO_MIN_BYTES = 1024 * 1024
ARCHIVE_EXTENSIONS = (
    ".zip", ".jar", ".war", ".apk", ".7z", ".rar", ".gz", ".tgz", ".bz2", ".xz", ".tar",
    ".cab", ".iso", ".docx", ".docm", ".xlsx", ".xlsm", ".pptx", ".pptm", ".odt", ".ods",
    ".odp", ".epub",
)
OFFICE_EXTENSIONS = (".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".bin")
# End of central directory record: signature, disk numbers, entry counts, size, offset.
_EOCD = struct.Struct("<4s4H2LH")
_EOCD_SIGNATURE = b"PK\x05\x06"


class ArchiveError(Exception):
    """The archive is beyond a limit or unsafe; the message says why, for a person."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class ArchiveLimits:
    max_members: int
    max_unpacked_bytes: int
    max_ratio: int

    @classmethod
    def from_settings(cls) -> ArchiveLimits:
        return cls(
            max_members=settings.ARCHIVE_MAX_MEMBERS,
            max_unpacked_bytes=settings.ARCHIVE_MAX_UNPACKED_BYTES,
            max_ratio=settings.ARCHIVE_MAX_RATIO,
        )


def _size(n: int) -> str:
    return str(filesizeformat(n)).replace("\xa0", " ")


def is_zip(head: bytes) -> bool:
    """A local file header (a normal archive) or an end record (an empty one)."""
    return head.startswith((b"PK\x03\x04", _EOCD_SIGNATURE))


def _declared_members(handle) -> int | None:
    """The member count the end record declares, read from the last 64 KB only, so a
    directory claiming millions of members is refused before zipfile lists them."""
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    start = max(0, size - (_EOCD.size + 0xFFFF))
    handle.seek(start)
    tail = handle.read()
    at = tail.rfind(_EOCD_SIGNATURE)
    if at < 0 or len(tail) - at < _EOCD.size:
        return None
    total = _EOCD.unpack(tail[at:at + _EOCD.size])[4]
    return None if total == 0xFFFF else total  # 0xFFFF: the count is in a ZIP64 record


def _too_many(label: str, count: int, limits: ArchiveLimits) -> ArchiveError:
    return ArchiveError(
        f"{label} holds {count:,} files inside; Borough accepts at most {limits.max_members:,}."
    )


def _unsafe_name(name: str) -> bool:
    path = name.replace("\\", "/")
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        return True
    if any(ord(c) < 32 for c in path):
        return True
    return ".." in path.split("/")


def _nested_archive(name: str) -> bool:
    lowered = name.lower().replace("\\", "/")
    if not lowered.endswith(ARCHIVE_EXTENSIONS):
        return False
    # Word, Excel and PowerPoint keep embedded documents (a chart's data) here.
    embedded = "/embeddings/" in f"/{lowered}" and lowered.endswith(OFFICE_EXTENSIONS)
    return not embedded


def inspect_zip(source, *, limits: ArchiveLimits | None = None,
                label: str = "The file") -> list[zipfile.ZipInfo]:
    """Check a ZIP archive (bytes or a seekable binary file) against the limits without
    unpacking it; returns its members. Raises ArchiveError when it is over a limit,
    unsafe, or not a readable archive. A file object is left at its start."""
    limits = limits or ArchiveLimits.from_settings()
    handle = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    try:
        declared = _declared_members(handle)
        if declared is not None and declared > limits.max_members:
            raise _too_many(label, declared, limits)
        handle.seek(0)
        try:
            with zipfile.ZipFile(handle) as archive:
                members = archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError,
                struct.error, NotImplementedError):
            raise ArchiveError(
                f"{label} is a damaged or unreadable archive. Open it and save it again, "
                "then upload it again."
            ) from None
    finally:
        handle.seek(0)
    check_members(members, limits=limits, label=label)
    return members


def check_members(members: list[zipfile.ZipInfo], *, limits: ArchiveLimits,
                  label: str = "The file") -> None:
    if len(members) > limits.max_members:
        raise _too_many(label, len(members), limits)
    total = 0
    for member in members:
        name = member.filename
        if _unsafe_name(name):
            raise ArchiveError(
                f"{label} contains a file named “{name[:100]}” that points outside the "
                "archive. Borough does not accept it."
            )
        if _nested_archive(name):
            raise ArchiveError(
                f"{label} contains another archive (“{name[:100]}”). Borough does not "
                "accept archives inside files; upload the files separately."
            )
        if member.file_size > ARCHIVE_RATIO_MIN_BYTES:
            ratio = member.file_size / max(member.compress_size, 1)
            if ratio > limits.max_ratio:
                raise ArchiveError(
                    f"{label} contains a part (“{name[:100]}”) that unpacks to "
                    f"{ratio:,.0f} times its packed size; Borough accepts at most "
                    f"{limits.max_ratio:,} times. Files like this are used to exhaust "
                    "servers, so it was refused."
                )
        total += member.file_size
        if total > limits.max_unpacked_bytes:
            raise ArchiveError(
                f"{label} is too large once unpacked: more than "
                f"{_size(limits.max_unpacked_bytes)}. Save it again without unused sheets, "
                "pictures or embedded files, or split it."
            )
