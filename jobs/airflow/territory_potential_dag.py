"""Territory Potential: the monthly pipeline as an Airflow DAG, one SparkSubmitOperator per stage.

Each stage is the same command the launcher runs (`jobs/tp <stage> --as-of DATE`), submitted with
the shaded jar (target/territory-potential-*-spark.jar) to the cluster behind the Spark
connection. Stages run in dependency order; a failed stage stops the ones after it (its exit code
says why: 2 configuration, 3 bad input data, 1 anything else; see docs/operations.md). Every stage
replaces exactly its run date's partition, so Airflow retries and manual reruns are safe.

Run date: the last day of the data interval. With the monthly schedule, the run for June 2024
starts on 1 July and computes as_of = 2024-06-30 (`{{ ds }}` is 2024-06-01 there). Set the
Variable tp_as_of to a fixed date to rerun an old month by hand instead.

The Spark master is the Airflow connection "tp_spark" (spark://host:7077, yarn, k8s://https://...).
Configuration, all Airflow Variables (read at run time through templates, never at parse time):
  tp_jar             path or URL of the shaded jar the cluster can read (s3a://..., hdfs://..., local:/...)
  tp_conf_file       the profile passed with --conf (e.g. conf/cluster.conf on the driver, or a URL)
  tp_executor_memory, tp_executor_cores, tp_num_executors   executor sizing
  tp_as_of           optional fixed run date (yyyy-MM-dd); empty = the month end above
"""
from datetime import timedelta

import pendulum
from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

# The pipeline's stages in dependency order: the same list as the `pipeline` command
# (cli/Main.STAGES; AirflowDagTest fails when they drift apart).
STAGES = ["ingest", "locate", "market", "forecast", "score", "design", "segment", "report"]

MAIN_CLASS = "org.territorypotential.cli.Main"
SPARK_CONN_ID = "tp_spark"
AS_OF = (
    "{{ var.value.get('tp_as_of', '') or macros.ds_add(data_interval_end | ds, -1) }}"
)

default_args = {
    "owner": "data-engineering",
    "retries": 2,
    "retry_delay": timedelta(minutes=10),
    "retry_exponential_backoff": True,
    "execution_timeout": timedelta(hours=6),
}

with DAG(
    dag_id="territory_potential_monthly",
    description="Territory Potential: ingest, locate, market, forecast, score, design, segment, report for the month just ended",
    schedule="@monthly",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,  # two runs of one stage and as_of at once gain nothing
    default_args=default_args,
    tags=["territory-potential", "spark"],
) as dag:
    previous = None
    for stage in STAGES:
        task = SparkSubmitOperator(
            task_id=stage,
            # The Spark master: an Airflow connection (spark://host:7077, yarn, k8s://...).
            conn_id=SPARK_CONN_ID,
            application="{{ var.value.get('tp_jar', '/opt/territory-potential/territory-potential-0.1.0-SNAPSHOT-spark.jar') }}",
            java_class=MAIN_CLASS,
            name=f"territory-potential-{stage}",
            application_args=[
                stage,
                "--as-of", AS_OF,
                "--conf", "{{ var.value.get('tp_conf_file', 'conf/cluster.conf') }}",
            ],
            # conf is templated (executor_memory and friends are not): sizing from Variables.
            conf={
                "spark.executor.memory": "{{ var.value.get('tp_executor_memory', '8g') }}",
                "spark.executor.cores": "{{ var.value.get('tp_executor_cores', '4') }}",
                "spark.executor.instances": "{{ var.value.get('tp_num_executors', '4') }}",
            },
            verbose=False,
        )
        if previous is not None:
            previous >> task
        previous = task
