"""Airflow: score a history as SHARDS pods (one mapped KubernetesPodOperator task per shard), then merge
their reports. Each shard is `onnx-batch score ... --shard k/n`; a failed shard is retried alone and writes
the same part. Needs apache-airflow-providers-cncf-kubernetes; the image is onnx-batch's (entrypoint
onnx-batch), the volumes are the claims of examples/kubernetes/indexed-job.yaml.

The *_ARGS lists are onnx-batch command lines; test/examples.test.ts parses them with the CLI's options.
"""
from datetime import datetime

from airflow import DAG
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from kubernetes.client import models as k8s

SHARDS = 8
IMAGE = "ghcr.io/example/onnx-batch:0.1.0"

SCORE_ARGS = ["score", "-m", "/models/churn.onnx", "-i", "/data/history/", "-o", "/data/scored/", "--keep", "customer_id", "-q"]
MERGE_ARGS = ["report", "merge", "/data/scored/part-*.report.json", "-o", "/data/scored/total.report.json", "--md", "/data/scored/total.report.md"]

volumes = [
    k8s.V1Volume(name="data", persistent_volume_claim=k8s.V1PersistentVolumeClaimVolumeSource(claim_name="scoring-data")),
    k8s.V1Volume(name="models", persistent_volume_claim=k8s.V1PersistentVolumeClaimVolumeSource(claim_name="models", read_only=True)),
]
volume_mounts = [
    k8s.V1VolumeMount(name="data", mount_path="/data"),
    k8s.V1VolumeMount(name="models", mount_path="/models", read_only=True),
]
resources = k8s.V1ResourceRequirements(requests={"cpu": "2", "memory": "1Gi"}, limits={"memory": "2Gi"})

with DAG(dag_id="onnx_batch_score_history", start_date=datetime(2026, 1, 1), schedule=None, catchup=False, max_active_tasks=SHARDS) as dag:
    score = KubernetesPodOperator.partial(
        task_id="score_shard",
        name="onnx-batch-score",
        image=IMAGE,
        volumes=volumes,
        volume_mounts=volume_mounts,
        container_resources=resources,
        retries=2,
        get_logs=True,
    ).expand(arguments=[SCORE_ARGS + ["--shard", f"{k}/{SHARDS}"] for k in range(SHARDS)])

    # The report paths are a wildcard: a shell expands it (the image's entrypoint is onnx-batch itself).
    merge = KubernetesPodOperator(
        task_id="merge_reports",
        name="onnx-batch-merge",
        image=IMAGE,
        cmds=["sh", "-c"],
        arguments=["exec onnx-batch " + " ".join(MERGE_ARGS)],
        volumes=volumes,
        volume_mounts=volume_mounts,
        get_logs=True,
    )

    score >> merge
