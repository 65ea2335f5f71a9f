"""``streetwatch server``: run, migrate, check, export a dataset; tokens, users, devices."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from pydantic import ValidationError

from server.config import ServerConfig, load_server_config
from server.domain.roles import Role
from streetwatch.errors import UserError

if TYPE_CHECKING:
    from server.services.context import ServerContext
    from server.services.release import ReleaseResult

Sub: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def register(sub: Sub) -> None:
    """Add the ``server`` command group."""
    server = sub.add_parser("server", help="the central case-creator")
    actions = server.add_subparsers(dest="action", metavar="ACTION", required=True)
    run = _with_config(actions.add_parser("run", help="ingest events and serve the API"))
    run.add_argument("--no-api", action="store_true", help="ingest only (no HTTP API)")
    run.add_argument("--no-ingest", action="store_true", help="API only (no MQTT consumer)")
    run.add_argument(
        "--no-migrate", action="store_true", help="refuse to start on an old schema instead"
    )
    run.set_defaults(handler=_run)
    migrate = _with_config(
        actions.add_parser("migrate", help="bring the database schema up to date")
    )
    migrate.set_defaults(handler=_migrate)
    check = _with_config(
        actions.add_parser("check", help="check config, taxonomy, grids and database")
    )
    check.set_defaults(handler=_check)
    export = _with_config(
        actions.add_parser("export-dataset", help="decided evidence as a YOLO dataset")
    )
    export.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    export.set_defaults(handler=_export_dataset)
    _register_tokens(actions)
    _register_devices(actions)
    _register_users(actions)


def _with_config(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument(
        "-c", "--config", type=Path, required=True, metavar="CONFIG", help="server config file"
    )
    return parser


def _register_tokens(actions: Sub) -> None:
    token = actions.add_parser("token", help="API tokens")
    verbs = token.add_subparsers(dest="verb", metavar="VERB", required=True)
    create = _with_config(verbs.add_parser("create", help="create a token; prints it once"))
    create.add_argument("name", help="who uses it, e.g. ops-desk")
    create.add_argument(
        "--role", choices=[r.value for r in Role], default=Role.VIEWER.value, help="default viewer"
    )
    create.set_defaults(handler=_token_create)
    listing = _with_config(verbs.add_parser("list", help="list tokens (never their secrets)"))
    listing.set_defaults(handler=_token_list)
    revoke = _with_config(verbs.add_parser("revoke", help="revoke a token"))
    revoke.add_argument("name")
    revoke.set_defaults(handler=_token_revoke)


def _register_users(actions: Sub) -> None:
    user = actions.add_parser("user", help="review-UI users (log in at /ui)")
    verbs = user.add_subparsers(dest="verb", metavar="VERB", required=True)
    create = _with_config(
        verbs.add_parser("create", help="create a user or set its role and password")
    )
    create.add_argument("name", help="login name, e.g. wang.li")
    create.add_argument(
        "--role", choices=[r.value for r in Role], default=Role.VIEWER.value, help="default viewer"
    )
    create.add_argument("--display-name", default="", help="name shown in the UI")
    create.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of stdin (else it is asked twice)",
    )
    create.set_defaults(handler=_user_create)
    listing = _with_config(verbs.add_parser("list", help="list users (never their passwords)"))
    listing.set_defaults(handler=_user_list)


def _register_devices(actions: Sub) -> None:
    device = actions.add_parser("device", help="the device registry")
    verbs = device.add_subparsers(dest="verb", metavar="VERB", required=True)
    add = _with_config(verbs.add_parser("add", help="register or update a device"))
    add.add_argument("device_id")
    add.add_argument("--name", required=True, help="display name")
    add.add_argument("--lat", type=float, help="installed latitude (WGS-84)")
    add.add_argument("--lon", type=float, help="installed longitude (WGS-84)")
    add.add_argument("--note", default="", help="where it is, in words")
    add.add_argument("--credentials-ref", help="where its broker credentials are kept")
    add.set_defaults(handler=_device_add)
    listing = _with_config(verbs.add_parser("list", help="list devices and their state"))
    listing.set_defaults(handler=_device_list)
    for verb, enabled in (("enable", True), ("disable", False)):
        toggle = _with_config(verbs.add_parser(verb, help=f"{verb} a registered device"))
        toggle.add_argument("device_id")
        toggle.set_defaults(handler=_device_toggle, enabled=enabled)
    release = _with_config(
        verbs.add_parser("release", help="admit a device's quarantined events into cases")
    )
    release.add_argument("device_id")
    release.set_defaults(handler=_device_release)


def _config(args: argparse.Namespace) -> ServerConfig:
    return load_server_config(args.config)


def _ready_context(args: argparse.Namespace) -> ServerContext:
    from server.runner import prepare  # noqa: PLC0415
    from server.store.migrate import require_current  # noqa: PLC0415

    ctx = prepare(_config(args))
    require_current(ctx.database)
    return ctx


def _run(args: argparse.Namespace) -> int:
    from server.runner import RunOptions, run  # noqa: PLC0415

    if args.no_api and args.no_ingest:
        raise UserError("--no-api and --no-ingest together leave nothing to run")
    options = RunOptions(
        api=not args.no_api, ingest=not args.no_ingest, migrate=not args.no_migrate
    )
    return run(_config(args), options)


def _migrate(args: argparse.Namespace) -> int:
    from server.runner import prepare  # noqa: PLC0415
    from server.store.migrate import upgrade  # noqa: PLC0415

    ctx = prepare(_config(args))
    print(f"{ctx.database.name} is at revision {upgrade(ctx.database)}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from server.runner import prepare  # noqa: PLC0415
    from server.store.migrate import current_revision, head_revision  # noqa: PLC0415

    ctx = prepare(_config(args))
    print(f"OK config {args.config}")
    print(f"OK taxonomy {ctx.config.taxonomy}: {ctx.taxonomy.tag}, {len(ctx.taxonomy.codes)} codes")
    print(f"OK grids {ctx.config.grids or '(none)'}: {len(ctx.grids.grids)} grids")
    current, head = current_revision(ctx.database), head_revision()
    state = "up to date" if current == head else f"at {current or '(none)'}, needs {head}"
    print(f"OK database {ctx.database.name}: {state}")
    return 0


def _export_dataset(args: argparse.Namespace) -> int:
    from server.services.dataset_export import export_dataset  # noqa: PLC0415

    found = export_dataset(_ready_context(args), args.out)
    print(
        f"wrote {found.positives} confirmed and {found.negatives} background images to "
        f"{args.out} ({found.missing} without a stored frame skipped)"
    )
    return 0


def _token_create(args: argparse.Namespace) -> int:
    from server.services.auth import TokenService  # noqa: PLC0415

    tokens = TokenService(_ready_context(args))
    try:
        secret = tokens.create(args.name, Role(args.role))
    except ValueError as exc:
        raise UserError(str(exc)) from None
    print(secret)
    return 0


def _token_list(args: argparse.Namespace) -> int:
    from server.services.auth import TokenService  # noqa: PLC0415

    for token in TokenService(_ready_context(args)).list():
        state = "revoked" if token.revoked_at else "active"
        print(f"{token.name}\t{token.role.value}\t{state}\tcreated {token.created_at:%Y-%m-%d}")
    return 0


def _token_revoke(args: argparse.Namespace) -> int:
    from server.services.auth import TokenService  # noqa: PLC0415

    if not TokenService(_ready_context(args)).revoke(args.name):
        raise UserError(f"no active token named {args.name!r}")
    print(f"revoked {args.name}")
    return 0


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise UserError("the two passwords differ")
    return first


def _user_create(args: argparse.Namespace) -> int:
    from server.services.users import UserService  # noqa: PLC0415

    users = UserService(_ready_context(args))
    password = _read_password(args.password_stdin)
    try:
        users.create(args.name, Role(args.role), password, args.display_name)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    print(f"user {args.name} ({args.role}) saved; log in at /ui/login")
    return 0


def _user_list(args: argparse.Namespace) -> int:
    from server.services.users import UserService  # noqa: PLC0415

    for name, role, enabled in UserService(_ready_context(args)).names():
        print(f"{name}\t{role.value}\t{'enabled' if enabled else 'disabled'}")
    return 0


def _device_add(args: argparse.Namespace) -> int:
    from server.services.devices import DeviceService, DeviceSpec  # noqa: PLC0415

    try:
        spec = DeviceSpec(
            device_id=args.device_id,
            name=args.name,
            lat=args.lat,
            lon=args.lon,
            location_note=args.note,
            credentials_ref=args.credentials_ref,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise UserError(f"{where}: {first['msg']}") from None
    change = DeviceService(_ready_context(args)).save(spec)
    print(f"registered {change.view.device_id} ({change.view.name})")
    _print_release(change.release)
    return 0


def _device_list(args: argparse.Namespace) -> int:
    from server.services.devices import DeviceService  # noqa: PLC0415

    for view in DeviceService(_ready_context(args)).list():
        print(json.dumps(view.model_dump(mode="json"), ensure_ascii=False))
    return 0


def _device_toggle(args: argparse.Namespace) -> int:
    from server.services.devices import DeviceNotFoundError, DeviceService  # noqa: PLC0415

    try:
        change = DeviceService(_ready_context(args)).switch(args.device_id, args.enabled)
    except DeviceNotFoundError as exc:
        raise UserError(str(exc)) from None
    print(f"{change.view.device_id} {'enabled' if change.view.enabled else 'disabled'}")
    _print_release(change.release)
    return 0


def _device_release(args: argparse.Namespace) -> int:
    from server.services.devices import (  # noqa: PLC0415
        DeviceDisabledError,
        DeviceNotFoundError,
        DeviceService,
    )

    try:
        release = DeviceService(_ready_context(args)).release(args.device_id)
    except (DeviceNotFoundError, DeviceDisabledError) as exc:
        raise UserError(str(exc)) from None
    _print_release(release, always=True)
    return 0


def _print_release(release: ReleaseResult, *, always: bool = False) -> None:
    """Say what releasing quarantined events did (only when it did something, unless always)."""
    if not (always or release.released or release.quarantined):
        return
    print(
        f"released {release.cased} quarantined events of {release.device_id} into cases "
        f"({release.opened} opened), {release.samples} as samples; "
        f"{release.quarantined} still quarantined"
    )
