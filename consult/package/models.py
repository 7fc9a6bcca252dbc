"""The information package's tables: documents, their versions (never overwritten), releases, acknowledgements.

Documents and releases are named to users (URLs, API bodies, events) by an opaque `public_id`, never by
their row id: row ids count across audiences, so a worker who saw documents 3 and 6 would learn that two
went to caucuses they do not read (or wait unreleased). Old links with a row id still resolve, for the
viewer who may see the row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Constituency, Organisation, constituency_type
from consult.db import Base, UTCDateTime, utcnow
from consult.public_ids import new_public_id

__all__ = ["Acknowledgement", "Document", "DocumentVersion", "PackageRelease", "new_public_id"]


class Document(Base):
    """One document of a round's information package; its content lives in its versions."""

    __tablename__ = "package_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(20), unique=True, default=lambda: new_public_id("d"))
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    # None: every party of the round; else the one constituency whose caucus may read it (policy decides).
    caucus: Mapped[Constituency | None] = mapped_column(constituency_type("caucus"))
    attached_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    attached_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list[DocumentVersion]] = relationship(order_by="DocumentVersion.version",
                                                           back_populates="document")


class PackageRelease(Base):
    """One delivery of the package's new versions to an audience: every party (caucus None) or one caucus.

    Releases are numbered per audience, so no party can count the releases made to a caucus it cannot read.
    """

    __tablename__ = "package_releases"
    __table_args__ = (UniqueConstraint("round_id", "caucus", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(20), unique=True, default=lambda: new_public_id("r"))
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    caucus: Mapped[Constituency | None] = mapped_column(constituency_type("caucus"))
    number: Mapped[int] = mapped_column(Integer)
    released_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # None: released automatically when the round entered its first stage.
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    stage: Mapped[str] = mapped_column(String(40))


class DocumentVersion(Base):
    """One version of a document: its file as checked on the way in, its SHA-256 and where the store keeps it."""

    __tablename__ = "package_document_versions"
    __table_args__ = (UniqueConstraint("document_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("package_documents.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # pdf, odt, ods, odp, docx, xlsx, pptx, csv, png, jpeg
    media_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # None: not yet released (only the employer and the secretariat see it).
    release_id: Mapped[int | None] = mapped_column(ForeignKey("package_releases.id"), index=True)

    document: Mapped[Document] = relationship(back_populates="versions", lazy="joined")
    release: Mapped[PackageRelease | None] = relationship(lazy="joined")


class Acknowledgement(Base):
    """An organisation's receipt of one release, given by one of its people."""

    __tablename__ = "package_acknowledgements"
    __table_args__ = (UniqueConstraint("release_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("package_releases.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
