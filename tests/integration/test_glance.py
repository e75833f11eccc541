"""UnitOfWork.glance (engine/store/uow.py): one statement outside a transaction, what every request
reads (the security version). It leaves no transaction open, sees a commit made elsewhere at once,
and survives its kept connection dying (a server restart). Both databases."""
import threading

from engine.services.accounts import auth


def version(tx):
    return tx.security.security_version()


def test_a_glance_sees_another_connections_commit_at_once_and_leaves_nothing_open(ctx):
    before = ctx.uow.glance(version)
    with ctx.uow.begin() as tx:
        auth.sessions_end(tx)
    assert ctx.uow.glance(version) == before + 1
    if ctx.uow.engine.dialect.name == "postgresql":
        conn = ctx.uow._glancing.conn
        assert conn.connection.dbapi_connection.info.transaction_status == 0     # IDLE: no transaction
        with ctx.uow.begin() as tx:          # and a writer is not blocked by it
            auth.sessions_end(tx)
        assert ctx.uow.glance(version) == before + 2


def test_a_dead_connection_is_replaced_and_the_read_tried_again(ctx):
    ctx.uow.glance(version)
    if ctx.uow.engine.dialect.name == "postgresql":
        ctx.uow._glancing.conn.connection.dbapi_connection.close()      # as a server restart leaves it
    assert ctx.uow.glance(version) >= 0


def test_every_thread_glances_on_its_own_connection(ctx):
    seen = []

    def reader():
        seen.append(ctx.uow.glance(version))
    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 4 and len(set(seen)) == 1
    if ctx.uow.engine.dialect.name == "postgresql":
        assert len(ctx.uow._glancing_all) >= 4
