"""bench/bench_engine.py measures the same PostgreSQL cases over TCP and, when the server is on
this machine, through its Unix-domain socket: the URL it derives for the second."""
import bench.bench_engine as bench_engine

TCP = "postgresql+psycopg://postgres@127.0.0.1:5433/test?options=-csearch_path%3Dlianban_bench_1"


def test_a_local_server_is_reached_through_its_socket_with_the_same_options(tmp_path, monkeypatch):
    monkeypatch.setattr(bench_engine, "SOCKET_DIR", str(tmp_path))
    assert bench_engine.unix_socket_url(TCP) is None          # no socket there (yet)
    (tmp_path / ".s.PGSQL.5433").touch()
    assert bench_engine.unix_socket_url(TCP) == ("postgresql+psycopg://postgres@/test?options=-csearch_path%3D"
                                                 f"lianban_bench_1&host={tmp_path}&port=5433")


def test_a_server_on_another_machine_has_no_socket_here(tmp_path, monkeypatch):
    monkeypatch.setattr(bench_engine, "SOCKET_DIR", str(tmp_path))
    (tmp_path / ".s.PGSQL.5432").touch()
    assert bench_engine.unix_socket_url("postgresql+psycopg://u@db.example:5432/x?options=-csearch_path%3Ds") is None
