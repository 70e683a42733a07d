"""twinwire.spark on a standalone Spark cluster started here on localhost (one master, two
workers of one core each, from pyspark's own `spark-class`): separate executor processes, real
shuffles, and a worker killed in the middle of a job."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from spark_support import assert_same_pairs, made_corpus, spark_or_skip

import twinwire


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def spark_class() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent / "bin" / "spark-class"


def start(args: List[str], log: Path) -> subprocess.Popen:
    env = dict(os.environ, SPARK_HOME=str(spark_class().parent.parent))
    return subprocess.Popen(
        [str(spark_class()), *args],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,  # its own process group: the executors it starts die with it
    )


def wait_for(what: str, ready: Any, timeout: float = 90.0, poll: float = 0.5) -> None:
    deadline = time.time() + timeout
    while not ready():
        if time.time() > deadline:
            pytest.fail(f"{what} did not come up within {timeout} s")
        time.sleep(poll)


def busy_executors(sc: Any) -> int:
    """How many executors (the driver included, which runs none) have a task running now."""
    infos = sc._jsc.sc().statusTracker().getExecutorInfos()
    return sum(1 for k in range(len(infos)) if infos[k].numRunningTasks() > 0)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: Any) -> Iterator[Dict[str, Any]]:
    spark_or_skip()
    logs = tmp_path_factory.mktemp("cluster")
    port = free_port()
    master_url = f"spark://127.0.0.1:{port}"
    master = start(
        [
            "org.apache.spark.deploy.master.Master",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--webui-port",
            str(free_port()),
        ],
        logs / "master.log",
    )
    workers = []

    def connects() -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    wait_for("the master", connects)
    for k in range(2):
        workers.append(
            start(
                [
                    "org.apache.spark.deploy.worker.Worker",
                    master_url,
                    "--cores",
                    "1",
                    "--memory",
                    "1g",
                    "--host",
                    "127.0.0.1",
                    "--webui-port",
                    str(free_port()),
                    "--work-dir",
                    str(logs / f"work{k}"),
                ],
                logs / f"worker{k}.log",
            )
        )
    yield {"url": master_url, "master": master, "workers": workers, "logs": logs}
    for p in workers + [master]:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()


def session(url: str) -> Any:
    from pyspark.sql import SparkSession

    s = (
        SparkSession.builder.master(url)
        .appName("twinwire cluster test")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "4")
        .config("spark.executor.memory", "768m")
        .config("spark.ui.enabled", "false")
        .config("spark.task.maxFailures", "8")
        .getOrCreate()
    )
    s.sparkContext.setLogLevel("ERROR")
    return s


def test_a_worker_killed_mid_job_and_the_job_gives_the_same_pairs(cluster: Dict[str, Any]) -> None:
    from twinwire import spark as tws

    docs = made_corpus(400, seed=7)
    spark = session(cluster["url"])
    try:
        sc = spark.sparkContext
        wait_for("two executors", lambda: sc._jsc.sc().getExecutorMemoryStatus().size() >= 3)
        df = spark.createDataFrame(docs, "id string, text string")
        assert df.rdd.getNumPartitions() >= 2
        result: Dict[str, Any] = {}

        def job() -> None:
            try:
                result["rows"] = tws.pairs(df).collect()
            except Exception as e:  # reported below
                result["error"] = e

        worker = threading.Thread(target=job)
        worker.start()
        # Wait until both executors run a task, then kill the second worker and the executor it
        # started: its running task is lost, and Spark runs it again on the first. (Killing after a
        # fixed delay could land while that executor was idle, and then nothing ran again.)
        tracker = sc.statusTracker()
        wait_for("both executors to run a task", lambda: busy_executors(sc) >= 2, poll=0.01)
        assert worker.is_alive(), "the job ended before a worker could be killed"
        victim = cluster["workers"][1]
        os.killpg(victim.pid, signal.SIGKILL)
        killed_at = time.time()
        worker.join(timeout=600)
        assert not worker.is_alive(), "the job did not finish after the kill"
        assert "error" not in result, result.get("error")
        assert time.time() > killed_at
        # One executor is left (the driver counts as one more).
        assert sc._jsc.sc().getExecutorMemoryStatus().size() == 2
        # Spark did work again: tasks of the lost executor failed and ran elsewhere, or stages
        # whose map outputs were lost ran a second attempt.
        infos = [tracker.getStageInfo(k) for k in range(0, 10_000)]
        infos = [i for i in infos if i is not None]
        failed = sum(i.numFailedTasks for i in infos)
        retried = sum(1 for i in infos if i.currentAttemptId > 0)
        assert failed + retried > 0, "nothing was run again after the kill"
        print(f"after the kill: {failed} failed tasks, {retried} stages run again")
        assert_same_pairs(result["rows"], twinwire.pairs(docs))
        assert result["rows"], "the corpus has pairs"
    finally:
        spark.stop()
