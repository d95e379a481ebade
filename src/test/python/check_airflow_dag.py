"""Checks jobs/airflow/territory_potential_dag.py without Airflow installed (AirflowDagTest runs it).

1. py_compile: the file is valid Python.
2. The DAG file is executed against small stand-ins for the Airflow API it uses (DAG, the
   SparkSubmitOperator, `>>`, pendulum), which record what the file builds; the tasks, their
   arguments and dependencies are printed as JSON for the Java test to check.
3. When jinja2 is importable, the run-date template is rendered the way Airflow renders it
   (data_interval_end, macros.ds_add, var.value.get) for the June 2024 interval.
Usage: python3 check_airflow_dag.py DAG_FILE
"""
import datetime
import json
import py_compile
import sys
import types

path = sys.argv[1]
py_compile.compile(path, doraise=True)

tasks = []


class DAG:
    def __init__(self, dag_id=None, **kwargs):
        self.dag_id = dag_id
        self.kwargs = kwargs

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class SparkSubmitOperator:
    def __init__(self, task_id, **kwargs):
        self.task_id = task_id
        self.kwargs = kwargs
        self.upstream = []
        tasks.append(self)

    def __rshift__(self, other):
        other.upstream.append(self.task_id)
        return other


def module(name, **attrs):
    m = types.ModuleType(name)
    m.__dict__.update(attrs)
    sys.modules[name] = m
    return m


module("airflow", DAG=DAG)
module("airflow.models", Variable=object)
module("airflow.providers")
module("airflow.providers.apache")
module("airflow.providers.apache.spark")
module("airflow.providers.apache.spark.operators")
module("airflow.providers.apache.spark.operators.spark_submit", SparkSubmitOperator=SparkSubmitOperator)
if "pendulum" not in sys.modules:
    try:
        import pendulum  # noqa: F401
    except ImportError:
        module("pendulum", datetime=lambda *a, **k: datetime.datetime(*a))

ns = {"__name__": "territory_potential_dag", "__file__": path}
with open(path) as f:
    exec(compile(f.read(), path, "exec"), ns)

dags = [v for v in ns.values() if isinstance(v, DAG)]
out = {
    "stages": ns.get("STAGES"),
    "dag_id": dags[0].dag_id if dags else None,
    "schedule": dags[0].kwargs.get("schedule") if dags else None,
    "retries": (dags[0].kwargs.get("default_args") or {}).get("retries") if dags else None,
    "tasks": [
        {
            "task_id": t.task_id,
            "upstream": t.upstream,
            "application": t.kwargs.get("application"),
            "java_class": t.kwargs.get("java_class"),
            "application_args": t.kwargs.get("application_args"),
            "conn_id": t.kwargs.get("conn_id"),
        }
        for t in tasks
    ],
}
try:
    import jinja2

    def ds_add(ds, days):
        d = datetime.date.fromisoformat(ds) + datetime.timedelta(days=days)
        return d.isoformat()

    class Vars:
        def __init__(self, values):
            self.values = values

        def get(self, key, default=None):
            return self.values.get(key, default)

    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    env.filters["ds"] = lambda d: d.strftime("%Y-%m-%d")
    ctx = {
        "data_interval_start": datetime.datetime(2024, 6, 1),
        "data_interval_end": datetime.datetime(2024, 7, 1),
        "ds": "2024-06-01",
        "macros": types.SimpleNamespace(ds_add=ds_add),
    }
    as_of = ns["AS_OF"]
    out["as_of_june_2024"] = env.from_string(as_of).render(var=types.SimpleNamespace(value=Vars({})), **ctx)
    out["as_of_fixed"] = env.from_string(as_of).render(
        var=types.SimpleNamespace(value=Vars({"tp_as_of": "2023-12-31"})), **ctx)
except ImportError:
    out["as_of_june_2024"] = None
print(json.dumps(out))
