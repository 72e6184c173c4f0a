"""The storage behind :mod:`nodes.kit.files`: files steps save, kept per shop.

The bytes go to the data directory (``<data dir>/files/<shop>/<id>``) or, when
``SHOPWIRE_FILES_S3_BUCKET`` is set, to that S3-compatible bucket; the database keeps who owns
each file, which execution and step made it, its name, type, size and checksum. Every look-up
is by shop: a reference another shop's step made reads as missing.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Protocol

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from flask import Flask, current_app
from sqlalchemy import insert, select

import nodes.kit.files
from app.extensions import db, per_app
from app.models import Execution, StoredFile
from app.models.base import isoformat, new_id, utcnow
from app.models.file import storage_key
from nodes.kit.base import NodeContext, UserError

MEDIA_TYPE = re.compile(r"^[\w.+-]+/[\w.+-]+$")


class Storage(Protocol):
    def put(self, key: str, data: bytes, media_type: str) -> None: ...

    def get(self, key: str) -> bytes | None: ...

    def delete(self, key: str) -> None: ...


class LocalStorage:
    """Files below a directory, one per key; written whole to a temporary name, then renamed,
    so a reader never sees half a file."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, key: str, data: bytes, media_type: str) -> None:
        path = self.root / key
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(data)
        partial.replace(path)

    def get(self, key: str) -> bytes | None:
        path = self.root / key
        return path.read_bytes() if path.is_file() else None

    def delete(self, key: str) -> None:
        (self.root / key).unlink(missing_ok=True)


class S3Storage:
    """Files as objects in a bucket of any S3-compatible service (AWS, MinIO, Ceph …)."""

    def __init__(self, client, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def put(self, key: str, data: bytes, media_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=media_type)

    def get(self, key: str) -> bytes | None:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)


def storage() -> Storage:
    """The app's storage, built once per process from the config."""
    return per_app("shopwire_files", lambda: _build_storage(current_app.config))


def _build_storage(config) -> Storage:
    bucket = config["SHOPWIRE_FILES_S3_BUCKET"]
    if not bucket:
        return LocalStorage(Path(config["SHOPWIRE_DATA_DIR"]) / "files")
    client = boto3.client(
        "s3",
        endpoint_url=config["SHOPWIRE_FILES_S3_ENDPOINT"] or None,
        region_name=config["SHOPWIRE_FILES_S3_REGION"] or None,
        # Unset: boto3's own chain (AWS_ACCESS_KEY_ID, an instance role …).
        aws_access_key_id=config["SHOPWIRE_FILES_S3_ACCESS_KEY"] or None,
        aws_secret_access_key=config["SHOPWIRE_FILES_S3_SECRET_KEY"] or None,
        config=Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3}),
    )
    return S3Storage(client, bucket)


class DatabaseFiles:
    """Rows are written in a transaction of their own, apart from the worker's session, like
    :class:`app.runtime.node_store.DatabaseSeenItems`: a saved file is owned at once, whatever
    the step does next."""

    def save(self, ctx: NodeContext, data: bytes, filename: str, media_type: str) -> str:
        limit = current_app.config["SHOPWIRE_FILE_MAX_BYTES"]
        if len(data) > limit:
            raise UserError(
                f"The file {filename} is {_size(len(data))}; files may be at most {_size(limit)}."
            )
        merchant_id = _merchant_of(ctx)
        file_id = new_id()
        media_type = media_type if MEDIA_TYPE.match(media_type) else "application/octet-stream"
        storage().put(storage_key(merchant_id, file_id), data, media_type)
        with db.engine.begin() as connection:
            connection.execute(
                insert(StoredFile),
                {
                    "id": file_id,
                    "merchant_id": merchant_id,
                    "execution_id": ctx.execution_id,
                    "node_id": ctx.node_id,
                    "filename": filename,
                    "media_type": media_type,
                    "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "created_at": utcnow(),
                },
            )
        return file_id

    def read(self, ctx: NodeContext, file_id: str) -> bytes | None:
        found = owned_file(_merchant_of(ctx), file_id)
        return None if found is None else content(found)


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MB"
    return f"{count / 1024:.0f} KB" if count >= 1024 else f"{count} bytes"


def _merchant_of(ctx: NodeContext) -> int:
    return db.session.execute(
        select(Execution.merchant_id).where(Execution.id == ctx.execution_id)
    ).scalar_one()


def owned_file(merchant_id: int, file_id: str) -> StoredFile | None:
    return db.session.scalar(
        select(StoredFile).where(StoredFile.id == file_id, StoredFile.merchant_id == merchant_id)
    )


def content(stored: StoredFile) -> bytes | None:
    """The file's bytes, or None when they are gone or not what was saved."""
    data = storage().get(stored.key)
    if data is None or hashlib.sha256(data).hexdigest() != stored.sha256:
        return None
    return data


def of_execution(execution_id: str) -> list[StoredFile]:
    return list(
        db.session.scalars(
            select(StoredFile)
            .where(StoredFile.execution_id == execution_id)
            .order_by(StoredFile.created_at, StoredFile.id)
        )
    )


def describe(stored: StoredFile) -> dict:
    """A file as its execution lists it, with where the shop's users download it."""
    return {
        "id": stored.id,
        "node_id": stored.node_id,
        "filename": stored.filename,
        "media_type": stored.media_type,
        "size": stored.size,
        "created_at": isoformat(stored.created_at),
        "url": f"/api/files/{stored.id}",
    }


def delete_of_executions(execution_ids: list[str]) -> int:
    """Delete the files of these executions, bytes first; returns how many."""
    found = db.session.scalars(select(StoredFile).where(StoredFile.execution_id.in_(execution_ids)))
    count = 0
    for stored in found:
        storage().delete(stored.key)
        db.session.delete(stored)
        count += 1
    return count


def init_app(app: Flask) -> None:
    nodes.kit.files.install(DatabaseFiles())
